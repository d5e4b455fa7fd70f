import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { Schemas } from '../api/client';
import { api } from '../api/client';
import { renderPage } from '../test/renderPage';
import Plans from './Plans';

const empty = { items: [], next_cursor: null, total: 0 };

afterEach(() => vi.restoreAllMocks());

describe('Plans', () => {
  it('reads the list of plans again once a plan is started, so it shows there', async () => {
    vi.spyOn(api, 'POST').mockResolvedValue({ data: { id: 'p9', title: 'Stroke services' }, response: new Response() } as never);
    const get = vi.spyOn(api, 'GET').mockResolvedValue({ data: empty, response: new Response() } as never);
    renderPage(<Plans />, { path: '/plans', url: '/plans', role: 'lead', cache: [[['plans', 'list', undefined], empty]] });
    fireEvent.change(screen.getByLabelText('New plan title'), { target: { value: 'Stroke services' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start a plan' }));
    await screen.findByText('Another page');
    await waitFor(() => expect(get.mock.calls.map((call) => call[0])).toContain('/api/v1/plans'));
  });

  it('pages through the plans with the API cursor instead of stopping at one page', async () => {
    const plan = (id: string, title: string) => ({ id, title, stage: 'design', status: 'draft', start_date: null, end_date: null }) as unknown as Schemas['PlanRead'];
    const get = vi.spyOn(api, 'GET').mockResolvedValue({ data: { items: [plan('p2', 'Older plan')], next_cursor: null }, response: new Response() } as never);
    renderPage(<Plans />, { path: '/plans', url: '/plans', role: 'viewer', cache: [[['plans', 'list', undefined], { items: [plan('p1', 'Newest plan')], next_cursor: 'c2' }]] });
    fireEvent.click(screen.getByRole('button', { name: /Next/ }));
    expect(await screen.findByRole('link', { name: 'Older plan' })).toBeInTheDocument();
    expect(get).toHaveBeenCalledWith('/api/v1/plans', { params: { query: { limit: 100, cursor: 'c2', sort: '-updated_at' } } });
  });
});
