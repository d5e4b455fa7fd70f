import { useState } from 'react';

/**
 * The record a form (or a page's writes) started from, for their If-Match. A refetch (window focus, another save)
 * changes the record under an open form but not what is typed in it: sending the refetched version would overwrite
 * someone else's change without a 412. Only the form's own save moves it on: `track` that save's promise (a refused
 * save leaves it, its mutation shows why), or `rebase` with a record the user has been shown.
 */
export function useBaseVersion<T extends { version: number }>(record: T | null | undefined) {
  const [base, rebase] = useState<T | null>(record ?? null);
  return { base, rebase, track: (saving: Promise<T>) => void saving.then(rebase, () => undefined) };
}
