import { fireEvent, render, screen } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { VerifyPanel } from '../Duty';

function renderPanel() {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <VerifyPanel />
    </QueryClientProvider>,
  );
}

describe('VerifyPanel', () => {
  it('asks for a file in the NHS error summary, linked to the file input', async () => {
    renderPanel();
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    const link = await screen.findByRole('link', { name: /Choose a pack file/ });
    expect(link).toHaveAttribute('href', '#pack-file');
  });

});
