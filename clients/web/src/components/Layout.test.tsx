import { render, screen } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { SessionProvider, type Me } from '../auth/session';
import { Layout } from './Layout';

function renderAs(role: Me['role'] | null) {
  const me = role ? ({ id: 'u1', kind: 'user', name: 'Pat Example', email: 'pat@example.org', role, tenant: { id: 't', slug: 'demo', name: 'Demo ICB', jurisdiction: 'england' } } as Me) : null;
  const router = createMemoryRouter(
    [{ path: '/sign-in', element: <p>Sign-in page</p> }, { element: <Layout />, children: [{ index: true, element: <p>Home page</p> }] }],
    { initialEntries: ['/'] },
  );
  render(
    <QueryClientProvider client={new QueryClient()}>
      <SessionProvider initial={me}>
        <RouterProvider router={router} />
      </SessionProvider>
    </QueryClientProvider>,
  );
}

describe('Layout', () => {
  it('sends a visitor who is not signed in to the sign-in page', () => {
    renderAs(null);
    expect(screen.getByText('Sign-in page')).toBeInTheDocument();
  });

  it('shows the admin area to an admin, with the role in words', () => {
    renderAs('admin');
    expect(screen.getByRole('link', { name: 'Admin' })).toBeInTheDocument();
    expect(screen.getByText(/Pat Example \(Admin, Demo ICB\)/)).toBeInTheDocument();
  });

  it('hides the admin area from a viewer', () => {
    renderAs('viewer');
    expect(screen.getByText('Home page')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();
  });

  it('shows the admin area to a lead, who manages calendar tokens there', () => {
    renderAs('lead');
    expect(screen.getByRole('link', { name: 'Admin' })).toHaveAttribute('href', '/admin');
  });

  it('hides the admin area from a contributor', () => {
    renderAs('contributor');
    expect(screen.queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();
  });
});
