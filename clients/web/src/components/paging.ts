import { useState } from 'react';

const FIRST_PAGE: (string | undefined)[] = [undefined];

/**
 * Cursor paging with Previous: the API's cursors only go forward, so keep the ones we came through.
 * Cursors belong to one set of filters: when `filters` change (a form, a link, Back), paging starts again.
 */
export function useCursorPager(filters: unknown = null) {
  const key = JSON.stringify(filters) ?? '';
  const [state, setState] = useState({ key, stack: FIRST_PAGE });
  const stack = state.key === key ? state.stack : FIRST_PAGE;
  return {
    cursor: stack[stack.length - 1],
    page: stack.length,
    hasPrevious: stack.length > 1,
    next: (nextCursor: string) => setState({ key, stack: [...stack, nextCursor] }),
    previous: () => setState({ key, stack: stack.length > 1 ? stack.slice(0, -1) : stack }),
  };
}
