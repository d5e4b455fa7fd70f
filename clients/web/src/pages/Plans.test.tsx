import { fireEvent, screen, waitFor } from '@testing-library/react';
import { api } from '../api/client';
import { renderPage } from '../test/renderPage';
import Plans from './Plans';

const empty = { items: [], next_cursor: null, total: 0 };

afterEach(() => vi.restoreAllMocks());

describe('Plans', () => {
  it('reads the list of plans again once a plan is started, so it shows there', async () => {
    vi.spyOn(api, 'POST').mockResolvedValue({ data: { id: 'p9', title: 'Stroke services' }, response: new Response() } as never);
    const get = vi.spyOn(api, 'GET').mockResolvedValue({ data: empty, response: new Response() } as never);
    renderPage(<Plans />, { path: '/plans', url: '/plans', role: 'lead', cache: [[['plans'], empty]] });
    fireEvent.change(screen.getByLabelText('New plan title'), { target: { value: 'Stroke services' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start a plan' }));
    await screen.findByText('Another page');
    await waitFor(() => expect(get.mock.calls.map((call) => call[0])).toContain('/api/v1/plans'));
  });
});
