import { render } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { SessionProvider, type Me } from '../auth/session';

export const signedInAs = (role: Me['role']): Me =>
  ({ id: 'u1', kind: 'user', name: 'Pat Example', email: 'pat@example.org', role, tenant: { id: 't', slug: 'demo', name: 'Demo ICB', jurisdiction: 'england' } }) as Me;

/**
 * A page at `url` (matched by the route `path`), signed in with `role`, its queries already answered from `cache`
 * (query key → data): a page is tested on what the API answered, without a server. Returns the query client, to
 * change what the API answers later (a background refetch) or see which queries a save invalidated.
 */
export function renderPage(element: ReactElement, { path, url, role, cache }: { path: string; url: string; role: Me['role']; cache: [unknown[], unknown][] }) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  for (const [key, data] of cache) queryClient.setQueryData(key, data);
  // Any other address (where a save navigates to) is a stand-in page.
  const router = createMemoryRouter([{ path, element }, { path: '*', element: <p>Another page</p> }], { initialEntries: [url] });
  render(
    <QueryClientProvider client={queryClient}>
      <SessionProvider initial={signedInAs(role)}>
        <RouterProvider router={router} />
      </SessionProvider>
    </QueryClientProvider>,
  );
  return queryClient;
}
