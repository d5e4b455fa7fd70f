import { act, render, renderHook, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Pager } from './Pager';
import { allPages, useCursorPager } from './paging';

describe('useCursorPager', () => {
  it('goes forward through cursors and back to the ones it came through', () => {
    const { result } = renderHook(() => useCursorPager());
    expect(result.current.cursor).toBeUndefined();
    act(() => result.current.next('c2'));
    act(() => result.current.next('c3'));
    expect(result.current.cursor).toBe('c3');
    expect(result.current.page).toBe(3);
    act(() => result.current.previous());
    expect(result.current.cursor).toBe('c2');
    expect(result.current.hasPrevious).toBe(true);
  });

  it('does not push the cursor it is on again (a second click on Next while that page loads)', () => {
    const { result } = renderHook(() => useCursorPager());
    act(() => result.current.next('c2'));
    act(() => result.current.next('c2'));
    expect(result.current.page).toBe(2);
    act(() => result.current.previous());
    expect(result.current.cursor).toBeUndefined();
  });

  it('starts again at the first page when the filters change, and only then', () => {
    const { result, rerender } = renderHook(({ filters }) => useCursorPager(filters), { initialProps: { filters: { q: 'a' } } });
    act(() => result.current.next('c2'));
    rerender({ filters: { q: 'a' } });
    expect(result.current.cursor).toBe('c2');
    rerender({ filters: { q: 'b' } });
    expect(result.current.cursor).toBeUndefined();
    expect(result.current.page).toBe(1);
    expect(result.current.hasPrevious).toBe(false);
  });
});

describe('Pager', () => {
  it('offers Next with the next cursor and no Previous on the first page', async () => {
    const onNext = vi.fn();
    render(<Pager hasPrevious={false} page={1} nextCursor="abc" onPrevious={() => {}} onNext={onNext} />);
    expect(screen.queryByText('Previous')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /next/i }));
    expect(onNext).toHaveBeenCalledWith('abc');
  });

  it('shows nothing when there is a single page', () => {
    const { container } = render(<Pager hasPrevious={false} page={1} nextCursor={null} onPrevious={() => {}} onNext={() => {}} />);
    expect(container).toBeEmptyDOMElement();
  });

  it('pages nowhere while the page asked for loads, keeping the focus on the link clicked', async () => {
    const onNext = vi.fn();
    const onPrevious = vi.fn();
    render(<Pager hasPrevious page={2} nextCursor="abc" onPrevious={onPrevious} onNext={onNext} busy />);
    const next = screen.getByRole('button', { name: /next/i });
    expect(next).toHaveAttribute('aria-disabled', 'true');
    await userEvent.click(next);
    expect(next).toHaveFocus();
    await userEvent.click(screen.getByRole('button', { name: /previous/i }));
    expect(onNext).not.toHaveBeenCalled();
    expect(onPrevious).not.toHaveBeenCalled();
  });

  it('is named as given, for a page with several paged lists', () => {
    render(<Pager hasPrevious={false} page={1} nextCursor="abc" onPrevious={() => {}} onNext={() => {}} label="Pages of actions" />);
    expect(screen.getByRole('navigation', { name: 'Pages of actions' })).toBeInTheDocument();
  });
});

describe('allPages', () => {
  it('follows next_cursor to the last page, in order', async () => {
    const pages: Record<string, { items: number[]; next_cursor: string | null }> = {
      first: { items: [1, 2], next_cursor: 'c2' }, c2: { items: [3], next_cursor: 'c3' }, c3: { items: [4], next_cursor: null },
    };
    const read = vi.fn(async (cursor: string | undefined) => pages[cursor ?? 'first']!);
    expect(await allPages(read)).toEqual({ items: [1, 2, 3, 4], next_cursor: null });
    expect(read.mock.calls.map(([cursor]) => cursor)).toEqual([undefined, 'c2', 'c3']);
  });
});
