import { act, render, renderHook, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Pager } from './Pager';
import { useCursorPager } from './paging';

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
});
