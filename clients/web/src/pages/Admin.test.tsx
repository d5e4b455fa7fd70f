import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Users } from './Admin';

const user = (id: string, name: string) => ({ id, full_name: name, email: `${id}@example.org`, role: 'officer', is_active: true, last_login_at: null, version: 1 });

describe('Users', () => {
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
});
