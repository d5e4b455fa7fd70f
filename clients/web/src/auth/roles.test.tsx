import type { ReactNode } from 'react';
import { renderHook } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { Role } from '../api/client';
import { useCan } from './roles';
import { SessionProvider, type Me } from './session';

function abilitiesOf(role: Role) {
  const me = { id: 'u1', kind: 'user', name: 'Pat', email: 'pat@example.org', role, tenant: { id: 't', slug: 'demo', name: 'Demo', jurisdiction: 'england' } } as Me;
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={new QueryClient()}>
      <SessionProvider initial={me}>{children}</SessionProvider>
    </QueryClientProvider>
  );
  return renderHook(() => useCan(), { wrapper }).result.current;
}

describe('useCan', () => {
  it.each<[Role, { edit: boolean; log: boolean; administer: boolean; audit: boolean; seal: boolean }]>([
    ['admin', { edit: true, log: true, administer: true, audit: true, seal: true }],
    ['lead', { edit: true, log: true, administer: false, audit: false, seal: true }],
    ['contributor', { edit: false, log: true, administer: false, audit: false, seal: false }],
    ['viewer', { edit: false, log: false, administer: false, audit: false, seal: false }],
    ['auditor', { edit: false, log: false, administer: false, audit: true, seal: true }],
  ])('gives a %s what the API allows it', (role, expected) => {
    expect(abilitiesOf(role)).toEqual(expected);
  });
});
