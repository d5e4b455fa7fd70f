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
    // A cursor already on top is not pushed again: while the next page loads the previous one is still shown
    // (keepPreviousData), with its Next naming the cursor just followed; a second click would count a page twice.
    next: (nextCursor: string) =>
      setState((current) => {
        const from = current.key === key ? current.stack : FIRST_PAGE;
        return from[from.length - 1] === nextCursor ? current : { key, stack: [...from, nextCursor] };
      }),
    previous: () => setState({ key, stack: stack.length > 1 ? stack.slice(0, -1) : stack }),
  };
}

/**
 * placeholderData for a paged list of one record's (a plan's actions, keyed [...list, cursor]): the page before stays
 * shown while the next loads, as keepPreviousData does, but never another record's list (the router keeps a page
 * mounted when the address goes from one plan to another: keepPreviousData would show the first plan's actions under
 * the second until its own came).
 */
export function keepPagesOf(list: readonly unknown[]) {
  const same = JSON.stringify(list);
  return <T>(previous: T | undefined, previousQuery: { queryKey: readonly unknown[] } | undefined): T | undefined =>
    previousQuery && JSON.stringify(previousQuery.queryKey.slice(0, list.length)) === same ? previous : undefined;
}

/** One page of a list, as every list endpoint answers. */
export interface CursorPage<T> {
  items: T[];
  next_cursor?: string | null;
}

/**
 * Every item of a list, following next_cursor to the end, as one last page: for a set needed whole (a picker's
 * choices, a calendar month, a plan's duty record), where a page at a time would leave some unreachable.
 * `read` fetches the page at `cursor`.
 */
export async function allPages<T>(read: (cursor: string | undefined) => Promise<CursorPage<T>>): Promise<{ items: T[]; next_cursor: null }> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return { items, next_cursor: null };
}
