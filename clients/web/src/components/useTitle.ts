import { useEffect } from 'react';

/** Each page names itself in the tab (WCAG 2.4.2); never with a person's name (the browser's history keeps titles). */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} – Involve`;
  }, [title]);
}
