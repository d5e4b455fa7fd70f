import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Me } from '../auth/session';
import { renderPage } from '../test/renderPage';
import Admin, { Users } from './Admin';

const tokens = { items: [{ id: 't1', label: 'Intranet', token_hint: 'ab12', created_at: '2026-11-01T10:00:00Z', revoked_at: null }], next_cursor: null };
function renderAdmin(role: Me['role'], url = '/admin') {
  renderPage(<Admin />, { path: '/admin/*', url, role, cache: [[['calendar-tokens', undefined], tokens], [['users', undefined], { items: [], next_cursor: null }], [['audit-events', undefined], { items: [], next_cursor: null }]] });
}

const user = (id: string, name: string) => ({ id, full_name: name, email: `${id}@example.org`, role: 'officer', is_active: true, last_login_at: null, version: 1 });

describe('Users', () => {
  afterEach(() => vi.restoreAllMocks());

  it('pages through the users with the API cursor instead of stopping at one page', async () => {
    // Both pages are already in the cache: the list is tested on what the API answered, without a server.
    const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
    queryClient.setQueryData(['users', undefined], { items: [user('u1', 'Ada First')], next_cursor: 'c2', total: 2 });
    queryClient.setQueryData(['users', 'c2'], { items: [user('u2', 'Bea Second')], next_cursor: null, total: 2 });
    render(
      <QueryClientProvider client={queryClient}>
        <Users />
      </QueryClientProvider>,
    );
    expect(screen.getByRole('cell', { name: 'Ada First' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /Next/ }));
    expect(await screen.findByRole('cell', { name: 'Bea Second' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Previous/ })).toBeInTheDocument();
  });

  it('keeps the current page on screen, its paging on hold, while the next one loads', async () => {
    let release: () => void = () => {};
    vi.spyOn(api, 'GET').mockImplementation((async () => {
      await new Promise<void>((resolve) => { release = resolve; });
      return { data: { items: [user('u2', 'Bea Second')], next_cursor: null }, response: new Response() };
    }) as never);
    renderPage(<Users />, { path: '/admin/users', url: '/admin/users', role: 'admin', cache: [[['users', undefined], { items: [user('u1', 'Ada First')], next_cursor: 'c2' }]] });
    fireEvent.click(screen.getByRole('button', { name: /Next/ }));
    expect(await screen.findByRole('button', { name: /Next/ })).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByRole('cell', { name: 'Ada First' })).toBeInTheDocument();
    await act(async () => release());
    expect(await screen.findByRole('cell', { name: 'Bea Second' })).toBeInTheDocument();
  });
});

describe('Admin sections', () => {
  it('opens a lead on the calendar tokens, which the API lets leads manage, and nothing else', () => {
    renderAdmin('lead');
    expect(screen.getByRole('heading', { name: 'Calendar tokens' })).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: 'Intranet' })).toBeInTheDocument();
    const links = within(screen.getByRole('navigation', { name: 'Admin sections' })).getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual(['Calendar tokens']);
  });

  it('keeps user management from a lead', () => {
    renderAdmin('lead', '/admin/users');
    expect(screen.getByText('Your role cannot see this section.')).toBeInTheDocument();
  });

  it('shows an admin every section, starting with the users', () => {
    renderAdmin('admin');
    expect(screen.getByRole('heading', { name: 'Users and roles' })).toBeInTheDocument();
    const links = within(screen.getByRole('navigation', { name: 'Admin sections' })).getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual(['Users and roles', 'Settings', 'Service accounts', 'Calendar tokens', 'Audit trail']);
  });

  it('shows an auditor only the audit trail', () => {
    renderAdmin('auditor');
    expect(screen.getByRole('heading', { name: 'Audit trail' })).toBeInTheDocument();
    const links = within(screen.getByRole('navigation', { name: 'Admin sections' })).getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual(['Audit trail']);
  });
});

describe('Calendar tokens', () => {
  afterEach(() => vi.restoreAllMocks());

  it('pages through the tokens beyond the first page rather than dropping them', async () => {
    const get = vi.spyOn(api, 'GET').mockResolvedValue({ data: { items: [{ ...tokens.items[0], id: 't2', label: 'Website' }], next_cursor: null }, response: new Response() } as never);
    renderPage(<Admin />, { path: '/admin/*', url: '/admin/calendar-tokens', role: 'lead', cache: [[['calendar-tokens', undefined], { ...tokens, next_cursor: 'k2' }]] });
    fireEvent.click(screen.getByRole('button', { name: /Next/ }));
    expect(await screen.findByRole('cell', { name: 'Website' })).toBeInTheDocument();
    expect(get).toHaveBeenCalledWith('/api/v1/calendar-tokens', { params: { query: { limit: 200, cursor: 'k2' } } });
  });
});
