import { render, screen } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { SessionProvider } from '../auth/session';
import { ExpiryWarning } from './ExpiryWarning';

function renderWith(expiresAt: number | null) {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <SessionProvider initialExpiresAt={expiresAt}>
        <ExpiryWarning />
      </SessionProvider>
    </QueryClientProvider>,
  );
}

describe('ExpiryWarning', () => {
  it('warns, in time to save, when the token ends within five minutes', () => {
    renderWith(Date.now() + 3 * 60_000);
    expect(screen.getByRole('status')).toHaveTextContent(/Your session is ending/);
    expect(screen.getByRole('status')).toHaveTextContent(/signed out in about 3 minutes/);
  });

  it('says nothing while the token has long to run', () => {
    renderWith(Date.now() + 30 * 60_000);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  it('says nothing when its lifetime is unknown', () => {
    renderWith(null);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });
});
