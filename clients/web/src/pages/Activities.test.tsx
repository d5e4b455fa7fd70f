import { fireEvent, screen, waitFor } from '@testing-library/react';
import { api } from '../api/client';
import { renderPage } from '../test/renderPage';
import Activities from './Activities';

const empty = { items: [], next_cursor: null, total: 0 };

afterEach(() => vi.restoreAllMocks());

describe('Activities', () => {
  it('reads the list of activities again once one is logged, so it shows there', async () => {
    vi.spyOn(api, 'POST').mockResolvedValue({ data: { id: 'a9' }, response: new Response() } as never);
    const get = vi.spyOn(api, 'GET').mockResolvedValue({ data: empty, response: new Response() } as never);
    renderPage(<Activities />, { path: '/activities', url: '/activities', role: 'contributor', cache: [[['activities', undefined, undefined], empty], [['plans', 'options'], empty]] });
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'Bridport focus group' } });
    fireEvent.change(screen.getByLabelText('Starts'), { target: { value: '2026-12-01T10:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log activity' }));
    await screen.findByText('Another page');
    await waitFor(() => expect(get.mock.calls.map((call) => call[0])).toContain('/api/v1/activities'));
  });
});
