import { fireEvent, render, screen, within } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { api, type Schemas } from '../../api/client';
import { VerifyPanel } from '../Duty';

function renderPanel() {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <VerifyPanel />
    </QueryClientProvider>,
  );
}

describe('VerifyPanel', () => {
  afterEach(() => vi.restoreAllMocks());

  it('asks for a file in the NHS error summary, linked to the file input', async () => {
    renderPanel();
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    const link = await screen.findByRole('link', { name: /Choose a pack file/ });
    expect(link).toHaveAttribute('href', '#pack-file');
  });

  it('says the audit chain is broken when only the chain fails, beside the other checks', async () => {
    const answer: Schemas['Verification'] = {
      valid: false, digest_matches: true, audit_head_found: true, sealed_event_found: true, audit_chain_intact: false,
      reasons: ["The tenant's audit chain is broken at event 7 (hash mismatch): the audit trail this pack is checked against was altered."],
    };
    vi.spyOn(api, 'POST').mockResolvedValue({ data: answer, response: new Response() } as never);
    // jsdom's FormData reads an input's own files, which no test can set (userEvent.upload only replaces the property):
    // the panel reads the chosen file through FormData, so hand it the file from there.
    vi.spyOn(FormData.prototype, 'get').mockReturnValue(new File(['{"digest": "d"}'], 'pack.json', { type: 'application/json' }));
    renderPanel();
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    const checks = within(await screen.findByRole('status')).getAllByRole('listitem').map((item) => item.textContent);
    expect(checks.slice(0, 4)).toEqual(['Digest matches', 'Audit head found', 'Sealing event found', 'Audit chain broken']);
  });
});
