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
    act(() => result.current.reset());
    expect(result.current.cursor).toBeUndefined();
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
