import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { api, type Schemas } from '../../api/client';
import type { Me } from '../../auth/session';
import { renderPage } from '../../test/renderPage';
import StakeholderPage from './StakeholderPage';

const rita = {
  id: 's1', name: 'Rita Example', kind: 'person', categories: [], preferred_channels: [], communication_needs: [], tags: [],
  archived_at: null, erased_at: null, restricted_at: null, version: 2,
} as unknown as Schemas['StakeholderRead'];
const latest = {
  id: 'a1', stakeholder_id: 's1', plan_id: null, interest: 4, influence: 2, attitude: 1, rationale: null, quadrant: 'keep_informed',
  is_latest: true, assessed_by: null, assessed_at: '2026-11-01T10:00:00Z',
} as Schemas['AssessmentRead'];
const none = { items: [], next_cursor: null };

function renderAs(role: Me['role'], person: Schemas['StakeholderRead']) {
  renderPage(<StakeholderPage />, {
    path: '/stakeholders/:id', url: '/stakeholders/s1', role,
    cache: [[['stakeholder', 's1'], person], [['assessments', 's1', undefined], { items: [latest], next_cursor: null }],
      [['stakeholder-activities', 's1', undefined], none], [['feedback', { stakeholder_id: 's1' }, undefined], none]],
  });
}

afterEach(() => vi.restoreAllMocks());

describe('StakeholderPage assessment', () => {
  it('keeps the attitude of the latest assessment when scores are added', async () => {
    const post = vi.spyOn(api, 'POST').mockResolvedValue({ data: latest, response: new Response() } as never);
    renderAs('lead', rita);
    const form = screen.getByRole('form', { name: 'Add an assessment' });
    expect(within(form).getByLabelText('Attitude')).toHaveValue('1');
    fireEvent.change(within(form).getByLabelText('Interest (1 to 5)'), { target: { value: '5' } });
    fireEvent.submit(form);
    await waitFor(() => expect(post).toHaveBeenCalled());
    expect((post.mock.calls[0]?.[1] as unknown as { body: Schemas['AssessmentCreate'] }).body).toEqual({ interest: 5, influence: 3, attitude: 1, rationale: null, plan_id: null });
  });

  it('records a changed attitude, or none when not judged', async () => {
    const post = vi.spyOn(api, 'POST').mockResolvedValue({ data: latest, response: new Response() } as never);
    renderAs('lead', rita);
    const form = screen.getByRole('form', { name: 'Add an assessment' });
    fireEvent.change(within(form).getByLabelText('Attitude'), { target: { value: '-2' } });
    fireEvent.submit(form);
    fireEvent.change(within(form).getByLabelText('Attitude'), { target: { value: '' } });
    fireEvent.submit(form);
    await waitFor(() => expect(post).toHaveBeenCalledTimes(2));
    expect(post.mock.calls.map((call) => (call[1] as { body: Schemas['AssessmentCreate'] }).body.attitude)).toEqual([-2, null]);
  });

  it('offers no assessment for a person whose processing is restricted (the API refuses it)', () => {
    renderAs('admin', { ...rita, restricted_at: '2026-11-20T10:00:00Z' });
    expect(screen.getByText('Processing restricted')).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Add an assessment' })).not.toBeInTheDocument();
  });

  it('offers an assessment to an admin otherwise', () => {
    renderAs('admin', rita);
    expect(screen.getByRole('form', { name: 'Add an assessment' })).toBeInTheDocument();
  });
});

describe('StakeholderPage objection', () => {
  it('shows an objection to contact that a later objection to processing did not replace', () => {
    renderAs('lead', { ...rita, objection_date: '2026-11-20', objection_scope: 'processing', objection_outcome: 'pending',
      objection_grounds: null, contact_objection: 'upheld' });
    expect(screen.getByText(/To processing on/)).toBeInTheDocument();
    expect(screen.getByText('Objection to contact').parentElement).toHaveTextContent('Objection to contactUpheld');
  });

  it('shows one line when the latest objection is to contact', () => {
    renderAs('lead', { ...rita, objection_date: '2026-11-20', objection_scope: 'contact', objection_outcome: 'upheld',
      objection_grounds: null, contact_objection: 'upheld' });
    expect(screen.queryByText('Objection to contact')).not.toBeInTheDocument();
  });
});

describe('StakeholderPage lists', () => {
  it('pages through their feedback beyond the first page, a pager for each list', async () => {
    const said = (id: string, text: string) => ({ id, text, received_at: '2026-11-01T10:00:00Z', status: 'received' });
    const get = vi.spyOn(api, 'GET').mockResolvedValue({ data: { items: [said('f2', 'Older words')], next_cursor: null }, response: new Response() } as never);
    renderPage(<StakeholderPage />, {
      path: '/stakeholders/:id', url: '/stakeholders/s1', role: 'viewer',
      cache: [[['stakeholder', 's1'], rita], [['assessments', 's1', undefined], none], [['stakeholder-activities', 's1', undefined], none],
        [['feedback', { stakeholder_id: 's1' }, undefined], { items: [said('f1', 'Newer words')], next_cursor: 'f2' }]],
    });
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Pages of feedback' })).getByRole('button', { name: /Next/ }));
    expect(await screen.findByText('Older words')).toBeInTheDocument();
    expect(get).toHaveBeenCalledWith('/api/v1/feedback', { params: { query: { stakeholder_id: 's1', limit: 50, cursor: 'f2' } } });
  });
});
