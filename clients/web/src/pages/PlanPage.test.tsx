import { fireEvent, screen, within } from '@testing-library/react';
import { api } from '../api/client';
import type { Schemas } from '../api/client';
import type { Me } from '../auth/session';
import { renderPage } from '../test/renderPage';
import PlanPage from './PlanPage';

const plan = {
  id: 'p1', external_id: null, title: 'Community diagnostic centre', programme: null, delivery_group: null, lead_id: null,
  stage: 'design', status: 'draft', purpose: null, situation_analysis: null, approach: null, start_date: null,
  end_date: null, objectives: [], key_messages: [], channels: [], budget_lines: [], budget_total_pence: 0,
  evaluation_measures: [], audience_categories: [], audience_stakeholder_ids: [], audience_organisation_ids: [], audience_withheld: false,
  approved_by: null, approved_at: null, archived_at: null, legal_hold_at: null, legal_hold_reason: null,
  legal_hold_by: null, created_at: '2026-11-02T10:00:00Z', updated_at: '2026-11-02T10:00:00Z', created_by: null,
  updated_by: null, version: 1,
} as unknown as Schemas['PlanRead'];
const empty = { items: [], next_cursor: null, total: null };

afterEach(() => vi.restoreAllMocks());

function renderAs(role: Me['role'], item: Schemas['PlanRead']) {
  renderPage(<PlanPage />, { path: '/plans/:id', url: `/plans/${item.id}`, role, cache: [[['plan', item.id], item], [['actions', item.id, undefined], empty], [['risks', item.id, undefined], empty]] });
}

describe('PlanPage', () => {
  it('offers an editor the new action form and approval on an active draft', () => {
    renderAs('lead', plan);
    expect(screen.getByRole('form', { name: 'Add an action' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Approve this plan' })).toBeInTheDocument();
    expect(screen.queryByText('Archived')).not.toBeInTheDocument();
  });

  it('marks an archived plan and offers neither (the API refuses both until it is restored)', () => {
    renderAs('lead', { ...plan, archived_at: '2026-11-20T10:00:00Z' });
    expect(screen.getByText('Archived')).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Add an action' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Approve this plan' })).not.toBeInTheDocument();
  });

  it('says when the audience names people it does not show (restricted processing)', () => {
    renderAs('viewer', { ...plan, audience_withheld: true });
    expect(screen.getByText(/others whose processing is restricted/)).toBeInTheDocument();
  });

  it('offers a viewer neither', () => {
    renderAs('viewer', plan);
    expect(screen.queryByRole('form', { name: 'Add an action' })).not.toBeInTheDocument();
  });

  it('offers an admin to put the record on legal hold, with the reason', () => {
    renderAs('admin', plan);
    expect(screen.getByLabelText('Why the record is held')).toBeInTheDocument();
    expect(screen.queryByText('On legal hold')).not.toBeInTheDocument();
  });

  it('says a plan is on legal hold, and why, to everyone; only an admin may lift it', () => {
    const held = { ...plan, legal_hold_at: '2026-11-25T10:00:00Z', legal_hold_reason: 'Judicial review claim issued' };
    renderAs('lead', held);
    expect(screen.getByText('On legal hold')).toBeInTheDocument();
    expect(screen.getByText(/Judicial review claim issued/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Lift the legal hold' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Why the record is held')).not.toBeInTheDocument();
  });

  it('offers an admin to lift a hold in force', () => {
    renderAs('admin', { ...plan, legal_hold_at: '2026-11-25T10:00:00Z', legal_hold_reason: 'Inquiry' });
    expect(screen.getByRole('button', { name: 'Lift the legal hold' })).toBeInTheDocument();
  });

  it('pages through the actions and the risks each with its own pager, rather than dropping all after the first page', async () => {
    const action = (id: string, description: string) => ({ id, description, owner_name: null, due_date: null, status: 'open', overdue: false });
    const get = vi.spyOn(api, 'GET').mockResolvedValue({ data: { items: [action('x2', 'Book the venue')], next_cursor: null }, response: new Response() } as never);
    renderPage(<PlanPage />, {
      path: '/plans/:id', url: '/plans/p1', role: 'viewer',
      cache: [[['plan', 'p1'], plan], [['actions', 'p1', undefined], { items: [action('x1', 'Draft the survey')], next_cursor: 'a2' }], [['risks', 'p1', undefined], { ...empty, next_cursor: 'r2' }]],
    });
    expect(screen.getByRole('navigation', { name: 'Pages of risks and issues' })).toBeInTheDocument();
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Pages of actions' })).getByRole('button', { name: /Next/ }));
    expect(await screen.findByText('Book the venue')).toBeInTheDocument();
    expect(get).toHaveBeenCalledWith('/api/v1/plans/{plan_id}/actions', { params: { path: { plan_id: 'p1' }, query: { limit: 200, cursor: 'a2' } } });
  });
});
