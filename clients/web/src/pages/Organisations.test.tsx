import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { api, type Schemas } from '../api/client';
import { renderPage } from '../test/renderPage';
import Organisations from './Organisations';

const org = (id: string) => ({ id, name: `Org ${id}`, kind: 'gp_practice', postcode: null }) as unknown as Schemas['OrganisationRead'];
type Init = { params: { query: { cursor?: string } } };

afterEach(() => vi.restoreAllMocks());

describe('Organisations paging', () => {
  it('ignores Next clicked again while the next page loads: each page asked for once, labelled truly', async () => {
    let release: () => void = () => {};
    const get = vi.spyOn(api, 'GET').mockImplementation((async (_path: string, init: Init) => {
      const cursor = init.params.query.cursor;
      if (cursor === undefined) return { data: { items: [org('1')], next_cursor: 'c1' }, response: new Response() };
      if (cursor === 'c1') {
        await new Promise<void>((resolve) => { release = resolve; });
        return { data: { items: [org('2')], next_cursor: 'c2' }, response: new Response() };
      }
      return { data: { items: [org('3')], next_cursor: null }, response: new Response() };
    }) as never);
    renderPage(<Organisations />, { path: '/organisations', url: '/organisations', role: 'viewer', cache: [] });
    await screen.findByText('Org 1');
    fireEvent.click(screen.getByRole('button', { name: /Next/ }));
    // Page 1 is still shown while page 2 loads, its Next (cursor c1) now the same link: clicked again, nothing happens.
    const next = await screen.findByRole('button', { name: /Next/ });
    expect(next).toHaveAttribute('aria-disabled', 'true');
    fireEvent.click(next);
    await act(async () => release());
    await screen.findByText('Org 2');
    expect(get.mock.calls.map((call) => (call[1] as unknown as Init).params.query.cursor)).toEqual([undefined, 'c1']);
    await waitFor(() => expect(screen.getByRole('navigation', { name: 'Pagination' })).toHaveTextContent('Previous:Page 1Next:Page 3'));
  });
});
