import { fireEvent, screen, waitFor } from '@testing-library/react';
import { api, type Schemas } from '../../api/client';
import { renderPage } from '../../test/renderPage';
import StakeholderForm from './StakeholderForm';

const rita = {
  id: 's1', external_id: null, kind: 'person', name: 'Rita', categories: ['patient'], organisation_id: 'org-600', job_title: null,
  email: null, phone: null, address: null, postcode: null, contact_details_masked: false, preferred_channels: [],
  communication_needs: [], interpreter_language: null, contact_consent: false, consent_basis: null, consent_recorded_at: null,
  is_champion: false, is_public_representative: false, tags: ['bridport'], owner_id: null, notes: null, archived_at: null, erased_at: null,
  restricted_at: null, restriction_reason: null, objection_date: null, objection_scope: null, objection_grounds: null,
  objection_outcome: null, contact_objection: null, created_at: '', updated_at: '', created_by: null, updated_by: null, version: 3,
} as unknown as Schemas['StakeholderRead'];
// One page of a register of more than 500 organisations: Rita's is not on it.
const firstPage = { items: Array.from({ length: 500 }, (_, i) => ({ id: `org-${i}`, name: `Org ${i}` })), next_cursor: 'more' };

function renderEdit() {
  const patch = vi.spyOn(api, 'PATCH').mockResolvedValue({ data: rita, response: new Response() } as never);
  const queryClient = renderPage(<StakeholderForm />, {
    path: '/stakeholders/:id/edit', url: '/stakeholders/s1/edit', role: 'lead',
    cache: [[['stakeholder', 's1'], rita], [['organisations', 'options'], firstPage], [['organisation', 'org-600'], { id: 'org-600', name: 'Org 600' }]],
  });
  return { patch, queryClient };
}

afterEach(() => vi.restoreAllMocks());

describe('StakeholderForm editing', () => {
  it('shows an organisation beyond the first page of choices, read by its id', async () => {
    renderEdit();
    const select = (await screen.findByLabelText('Organisation')) as HTMLSelectElement;
    await waitFor(() => expect(select.selectedOptions[0]?.textContent).toBe('Org 600'));
    expect(select.value).toBe('org-600');
  });

  it('sends only the fields changed, with If-Match of the version the form was filled from', async () => {
    const { patch, queryClient } = renderEdit();
    fireEvent.change(await screen.findByLabelText('Name'), { target: { value: 'Rita Example' } });
    // A background refetch brings someone else's version: the form still sends the version it was filled from.
    queryClient.setQueryData(['stakeholder', 's1'], { ...rita, version: 4 });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(patch).toHaveBeenCalled());
    expect(patch.mock.calls[0]).toEqual(['/api/v1/stakeholders/{stakeholder_id}', {
      params: { path: { stakeholder_id: 's1' }, header: { 'If-Match': '"3"' } },
      body: { name: 'Rita Example' },
    }]);
  });

  it('sends no update when nothing was changed', async () => {
    const { patch } = renderEdit();
    fireEvent.click(await screen.findByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Save changes' })).not.toBeInTheDocument());
    expect(patch).not.toHaveBeenCalled();
  });
});

describe('StakeholderForm consent and objections', () => {
  it('does not offer to turn consent on while an objection to contact stands (the API refuses, 409), and says why', async () => {
    renderPage(<StakeholderForm />, {
      path: '/stakeholders/:id/edit', url: '/stakeholders/s1/edit', role: 'lead',
      cache: [[['stakeholder', 's1'], { ...rita, contact_objection: 'pending' }], [['organisations', 'options'], firstPage], [['organisation', 'org-600'], { id: 'org-600', name: 'Org 600' }]],
    });
    const consent = await screen.findByRole('checkbox', { name: 'Has agreed to be contacted' });
    expect(consent).toBeDisabled();
    expect(consent).toHaveAccessibleDescription(/objection to being contacted is pending/);
  });

  it('offers it once the objection was not upheld', async () => {
    renderPage(<StakeholderForm />, {
      path: '/stakeholders/:id/edit', url: '/stakeholders/s1/edit', role: 'lead',
      cache: [[['stakeholder', 's1'], { ...rita, contact_objection: 'not_upheld' }], [['organisations', 'options'], firstPage], [['organisation', 'org-600'], { id: 'org-600', name: 'Org 600' }]],
    });
    expect(await screen.findByRole('checkbox', { name: 'Has agreed to be contacted' })).toBeEnabled();
  });

  it("shows the API's refusal of an email another stakeholder has (409) at the email field", async () => {
    const detail = 'This email address is already used by another stakeholder in this tenant';
    vi.spyOn(api, 'POST').mockResolvedValue({ error: { type: 'x/conflict', title: 'Conflict', status: 409, detail }, response: new Response(null, { status: 409 }) } as never);
    renderPage(<StakeholderForm />, { path: '/stakeholders/new', url: '/stakeholders/new', role: 'lead', cache: [[['organisations', 'options'], firstPage]] });
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Rita' } });
    fireEvent.change(screen.getByLabelText('Email (optional)'), { target: { value: 'rita@example.org' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add stakeholder' }));
    expect(await screen.findByRole('link', { name: `Email: ${detail}` })).toHaveAttribute('href', '#email');
    expect(screen.getByLabelText('Email (optional)')).toHaveAccessibleDescription(new RegExp(detail));
  });
});
