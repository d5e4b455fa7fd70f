import { fireEvent, screen, waitFor } from '@testing-library/react';
import { api, type Schemas } from '../../api/client';
import { renderPage } from '../../test/renderPage';
import Duty from '../Duty';

const plan = { id: 'p1', title: 'Community diagnostic centre', archived_at: null } as unknown as Schemas['PlanRead'];
const empty = { items: [], next_cursor: null, total: null };
const report = { plan_id: 'p1', plan_title: 'Community diagnostic centre', generated_at: '2026-11-25T06:00:00Z', status: 'green', counts: { red: 0, amber: 0, green: 0 }, assessment: null, items: [] };
const duty = { id: 'd1', code: 'gunning', jurisdiction: 'england', built_in: true, title: 'Gunning principles', citation: null, summary: null, position: 0, version: 1, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', requirements: [{ id: 'r1', code: 'gunning-1', title: 'Formative stage' }] };
const assessment: Schemas['DutyAssessmentRead'] = {
  plan_id: 'p1', number: 3, version: 3, note: null, created_at: '2026-11-01T00:00:00Z', created_by: null, signed_off_at: null, signed_off_by: null, current: true,
  entries: [{ duty_id: 'd1', duty_code: 'gunning', duty_title: 'Gunning principles', applies: true, reasons: 'A change to services', level: 'consult' }],
};
const unrecorded = { recorded: false, id: null, plan_id: 'p1', body: 'osc', committee_name: null, substantial_variation: null, substantial_variation_reason: null, committee_view: null, committee_view_date: null, sos_notification_required: null, sos_notified_date: null, correspondence: [], created_at: null, updated_at: null, created_by: null, updated_by: null, version: 0 };

function renderDuty(item: Schemas['PlanRead'], current: Schemas['DutyAssessmentRead'] | null) {
  renderPage(<Duty />, {
    path: '/plans/:id/duty', url: `/plans/${item.id}/duty`, role: 'lead',
    cache: [
      [['plan', item.id], item], [['duty-report', item.id], report], [['duties'], { ...empty, items: [duty] }],
      [['duty-assessment', item.id], current], [['duty-assessment-versions', item.id], { ...empty, items: current ? [current] : [] }],
      [['consultations', item.id], empty], [['documents', item.id], empty], [['scrutiny', item.id], unrecorded], [['evidence', item.id], empty],
    ],
  });
}

afterEach(() => vi.restoreAllMocks());

describe('Duty page', () => {
  it('offers an editor every form on an active plan', () => {
    renderDuty(plan, null);
    for (const name of ['Add a consultation', 'Upload a document', 'Scrutiny record', 'Add correspondence', 'Add evidence']) {
      expect(screen.getByRole('form', { name })).toBeInTheDocument();
    }
    expect(screen.getByText('Record applicability (a new version)')).toBeInTheDocument();
    expect(screen.queryByText('Archived')).not.toBeInTheDocument();
  });

  it('on an archived plan offers only the corrections the API accepts', () => {
    renderDuty({ ...plan, archived_at: '2026-11-20T10:00:00Z' }, null);
    expect(screen.getByText('Archived')).toBeInTheDocument();
    for (const name of ['Add a consultation', 'Upload a document', 'Scrutiny record', 'Add correspondence', 'Add evidence']) {
      expect(screen.queryByRole('form', { name })).not.toBeInTheDocument();
    }
    expect(screen.queryByText('Record applicability (a new version)')).not.toBeInTheDocument();
  });

  it('lets an archived plan correct the applicability record it already has', () => {
    renderDuty({ ...plan, archived_at: '2026-11-20T10:00:00Z' }, assessment);
    expect(screen.getByText('Record applicability (a new version)')).toBeInTheDocument();
  });

  it('signs off only the version on screen: If-Match carries its version', async () => {
    const post = vi.spyOn(api, 'POST').mockResolvedValue({ data: { ...assessment, signed_off_at: '2026-12-05T10:00:00Z' }, response: new Response() } as never);
    renderDuty(plan, assessment);
    fireEvent.click(screen.getByRole('button', { name: 'Sign off version 3' }));
    await waitFor(() => expect(post).toHaveBeenCalled());
    expect(post.mock.calls[0]).toEqual(['/api/v1/plans/{plan_id}/duty-assessment/sign-off', { params: { path: { plan_id: 'p1' }, header: { 'If-Match': '"3"' } } }]);
  });
});
