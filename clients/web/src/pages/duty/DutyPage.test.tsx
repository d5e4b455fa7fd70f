import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
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
const activity = { id: 'a1', title: 'Bridport focus group', starts_at: '2026-03-02T10:00:00Z' };
const heard = { id: 'f1', type: 'concern', themes: ['transport'], status: 'responded', received_at: '2026-03-03T10:00:00Z', text: 'My words' };
const item = {
  id: 'e1', plan_id: 'p1', requirement_id: 'r1', requirement_code: 'gunning-1', duty_id: 'd1', duty_code: 'gunning', summary: 'Options still open',
  activity_ids: [], feedback_ids: [], document_ids: [], activities: [], feedback: [], documents: [], decision: null, decision_date: null,
  external_id: null, archived_at: null, created_at: '2026-03-04T10:00:00Z', updated_at: '2026-03-04T10:00:00Z', created_by: null, updated_by: null, version: 2,
};
const consultation = {
  id: 'c1', plan_id: 'p1', external_id: null, title: 'Urgent care consultation', opened_date: '2026-01-05', closed_date: null, minimum_days: 84,
  shorter_reason: null, decision_date: null, decision_maker: null, decision_summary: null, duration_days: null, shorter_than_minimum: null,
  documents: [], archived_at: null, created_at: '2026-01-05T10:00:00Z', updated_at: '2026-01-05T10:00:00Z', created_by: null, updated_by: null, version: 4,
};
const archivedConsultation = { ...consultation, id: 'c2', title: 'Minor injuries consultation', archived_at: '2026-02-01T10:00:00Z' };
const pack = {
  id: 'doc1', plan_id: 'p1', consultation_id: 'c1', kind: 'consultation_pack', title: 'Consultation pack', filename: 'pack.pdf', media_type: 'application/pdf',
  size_bytes: 10, sha256: 'ab', published_at: null, created_at: '2026-01-05T10:00:00Z', updated_at: '2026-01-05T10:00:00Z', created_by: null, updated_by: null, version: 2,
};
const unrecorded = { recorded: false, id: null, plan_id: 'p1', body: 'osc', committee_name: null, substantial_variation: null, substantial_variation_reason: null, committee_view: null, committee_view_date: null, sos_notification_required: null, sos_notified_date: null, correspondence: [], created_at: null, updated_at: null, created_by: null, updated_by: null, version: 0 };

type Held = { current?: Schemas['DutyAssessmentRead'] | null; evidence?: unknown[]; archived?: unknown[]; consultations?: unknown[]; archivedConsultations?: unknown[]; documents?: unknown[]; scrutiny?: unknown };

function renderDuty(item: Schemas['PlanRead'], { current = null, evidence = [], archived = [], consultations = [], archivedConsultations = [], documents = [], scrutiny = unrecorded }: Held = {}) {
  return renderPage(<Duty />, {
    path: '/plans/:id/duty', url: `/plans/${item.id}/duty`, role: 'lead',
    cache: [
      [['plan', item.id], item], [['duty-report', item.id], report], [['duties'], { ...empty, items: [duty] }],
      [['duty-assessment', item.id], current], [['duty-assessment-versions', item.id], { ...empty, items: current ? [current] : [] }],
      [['consultations', item.id], { ...empty, items: consultations }], [['consultations-archived', item.id], { ...empty, items: archivedConsultations }], [['documents', item.id], { ...empty, items: documents }], [['scrutiny', item.id], scrutiny], [['evidence', item.id], { ...empty, items: evidence }], [['evidence-archived', item.id], { ...empty, items: archived }],
      [['activities', item.id], { ...empty, items: [activity] }], [['feedback', item.id], { ...empty, items: [heard] }],
    ],
  });
}

afterEach(() => vi.restoreAllMocks());

describe('Duty page', () => {
  it('offers an editor every form on an active plan', () => {
    renderDuty(plan);
    for (const name of ['Add a consultation', 'Upload a document', 'Scrutiny record', 'Add correspondence', 'Add evidence']) {
      expect(screen.getByRole('form', { name })).toBeInTheDocument();
    }
    expect(screen.getByText('Record applicability (a new version)')).toBeInTheDocument();
    expect(screen.queryByText('Archived')).not.toBeInTheDocument();
  });

  it('on an archived plan offers only the corrections the API accepts', () => {
    renderDuty({ ...plan, archived_at: '2026-11-20T10:00:00Z' });
    expect(screen.getByText('Archived')).toBeInTheDocument();
    for (const name of ['Add a consultation', 'Upload a document', 'Scrutiny record', 'Add correspondence', 'Add evidence']) {
      expect(screen.queryByRole('form', { name })).not.toBeInTheDocument();
    }
    expect(screen.queryByText('Record applicability (a new version)')).not.toBeInTheDocument();
  });

  it('lets an archived plan correct the applicability record it already has', () => {
    renderDuty({ ...plan, archived_at: '2026-11-20T10:00:00Z' }, { current: assessment });
    expect(screen.getByText('Record applicability (a new version)')).toBeInTheDocument();
  });

  it('signs off only the version on screen: If-Match carries its version', async () => {
    const post = vi.spyOn(api, 'POST').mockResolvedValue({ data: { ...assessment, signed_off_at: '2026-12-05T10:00:00Z' }, response: new Response() } as never);
    renderDuty(plan, { current: assessment });
    fireEvent.click(screen.getByRole('button', { name: 'Sign off version 3' }));
    await waitFor(() => expect(post).toHaveBeenCalled());
    expect(post.mock.calls[0]).toEqual(['/api/v1/plans/{plan_id}/duty-assessment/sign-off', { params: { path: { plan_id: 'p1' }, header: { 'If-Match': '"3"' } } }]);
  });

  it('links the chosen activities and feedback to new evidence, naming feedback by when and what, not its words', async () => {
    const post = vi.spyOn(api, 'POST').mockResolvedValue({ data: item, response: new Response() } as never);
    renderDuty(plan);
    expect(screen.queryByText(/My words/)).not.toBeInTheDocument();
    const form = screen.getByRole('form', { name: 'Add evidence' });
    fireEvent.change(within(form).getByLabelText('Summary'), { target: { value: 'Options still open' } });
    (within(form).getByRole('option', { name: /Bridport focus group/ }) as HTMLOptionElement).selected = true;
    (within(form).getByRole('option', { name: /Concern on transport \(Responded\)/ }) as HTMLOptionElement).selected = true;
    fireEvent.submit(form);
    await waitFor(() => expect(post).toHaveBeenCalled());
    const [path, { body }] = post.mock.calls[0] as unknown as [string, { body: Schemas['EvidenceCreate'] }];
    expect(path).toBe('/api/v1/plans/{plan_id}/evidence');
    expect([body.requirement_id, body.activity_ids, body.feedback_ids, body.document_ids, body.consultation_id]).toEqual(['r1', ['a1'], ['f1'], [], null]);
  });

  it("offers the plan's live consultations for the decision of new evidence, none meaning all, and sends the one chosen", async () => {
    const post = vi.spyOn(api, 'POST').mockResolvedValue({ data: item, response: new Response() } as never);
    renderDuty(plan, { consultations: [consultation], archivedConsultations: [archivedConsultation] });
    const form = screen.getByRole('form', { name: 'Add evidence' });
    const choice = within(form).getByLabelText('Consultation this decision is about');
    expect(within(choice).getAllByRole('option').map((o) => o.textContent)).toEqual(['Not about one consultation (applies to all)', 'Urgent care consultation']);
    expect(choice).toHaveValue('');
    fireEvent.change(within(form).getByLabelText('Summary'), { target: { value: 'Decided after the consultation closed' } });
    fireEvent.change(choice, { target: { value: 'c1' } });
    fireEvent.submit(form);
    await waitFor(() => expect(post).toHaveBeenCalled());
    const [, { body }] = post.mock.calls[0] as unknown as [string, { body: Schemas['EvidenceCreate'] }];
    expect(body.consultation_id).toBe('c1');
  });

  it('names beside its decision the consultation an evidence item is about, an archived one too', () => {
    renderDuty(plan, {
      consultations: [consultation], archivedConsultations: [archivedConsultation],
      evidence: [
        { ...item, decision: 'Option B', decision_date: '2026-04-01', consultation_id: 'c1' },
        { ...item, id: 'e2', summary: 'An earlier decision', consultation_id: 'c2' },
        { ...item, id: 'e3', summary: 'The plan as a whole', decision: 'Go ahead', consultation_id: null },
      ],
    });
    const table = screen.getByRole('table', { name: 'Evidence' });
    expect(within(table).getByRole('row', { name: /Options still open/ })).toHaveTextContent('Option B (1 Apr 2026)Consultation: Urgent care consultation');
    expect(within(table).getByRole('row', { name: /An earlier decision/ })).toHaveTextContent('Consultation: Minor injuries consultation');
    expect(within(table).getByRole('row', { name: /The plan as a whole/ })).not.toHaveTextContent('Consultation:');
  });

  it("corrects an evidence item's decision sending only what changed, its archived consultation still shown, with If-Match", async () => {
    const patch = vi.spyOn(api, 'PATCH').mockResolvedValue({ data: item, response: new Response() } as never);
    renderDuty(plan, { consultations: [consultation], archivedConsultations: [archivedConsultation], evidence: [{ ...item, decision: 'Option B', decision_date: '2026-04-01', consultation_id: 'c2' }] });
    const form = screen.getByRole('form', { name: 'Decision of the evidence item for gunning-1' });
    const choice = within(form).getByLabelText('Consultation this decision is about');
    expect(choice).toHaveValue('c2');
    expect(within(choice).getAllByRole('option').map((o) => o.textContent)).toEqual(['Not about one consultation (applies to all)', 'Minor injuries consultation', 'Urgent care consultation']);
    fireEvent.change(within(form).getByLabelText('Decision (optional)'), { target: { value: 'Option C' } });
    fireEvent.submit(form);
    await waitFor(() => expect(patch).toHaveBeenCalled());
    expect(patch.mock.calls[0]).toEqual(['/api/v1/plans/{plan_id}/evidence/{evidence_id}', {
      params: { path: { plan_id: 'p1', evidence_id: 'e1' }, header: { 'If-Match': '"2"' } }, body: { decision: 'Option C' },
    }]);
  });

  it('sends the consultation an evidence item is about once changed, null for none', async () => {
    const patch = vi.spyOn(api, 'PATCH').mockResolvedValue({ data: item, response: new Response() } as never);
    renderDuty(plan, { consultations: [consultation], evidence: [{ ...item, consultation_id: 'c1' }] });
    const form = screen.getByRole('form', { name: 'Decision of the evidence item for gunning-1' });
    fireEvent.change(within(form).getByLabelText('Consultation this decision is about'), { target: { value: '' } });
    fireEvent.submit(form);
    await waitFor(() => expect(patch).toHaveBeenCalled());
    expect(patch.mock.calls[0]).toEqual(['/api/v1/plans/{plan_id}/evidence/{evidence_id}', {
      params: { path: { plan_id: 'p1', evidence_id: 'e1' }, header: { 'If-Match': '"2"' } }, body: { consultation_id: null },
    }]);
  });

  it('archives an evidence item recorded in error after asking, with If-Match', async () => {
    const del = vi.spyOn(api, 'DELETE').mockResolvedValue({ response: new Response(null, { status: 204 }) } as never);
    renderDuty(plan, { evidence: [item] });
    fireEvent.click(screen.getByRole('button', { name: /^Archive\s*the evidence item for gunning-1$/ }));
    expect(del).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Yes, archive it' }));
    await waitFor(() => expect(del).toHaveBeenCalled());
    expect(del.mock.calls[0]).toEqual(['/api/v1/plans/{plan_id}/evidence/{evidence_id}', { params: { path: { plan_id: 'p1', evidence_id: 'e1' }, header: { 'If-Match': '"2"' } } }]);
  });

  it('offers a viewer no archive button', () => {
    renderPage(<Duty />, { path: '/plans/:id/duty', url: '/plans/p1/duty', role: 'viewer', cache: [[['plan', 'p1'], plan], [['evidence', 'p1'], { ...empty, items: [item] }]] });
    expect(screen.getByText('Options still open')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Archive/ })).not.toBeInTheDocument();
  });

  it('restores an archived evidence item', async () => {
    const post = vi.spyOn(api, 'POST').mockResolvedValue({ data: item, response: new Response() } as never);
    renderDuty(plan, { archived: [{ ...item, archived_at: '2026-03-05T10:00:00Z' }] });
    fireEvent.click(screen.getByText('Archived evidence (1)'));
    fireEvent.click(screen.getByRole('button', { name: /^Restore\s*the evidence item for gunning-1$/ }));
    await waitFor(() => expect(post).toHaveBeenCalled());
    expect(post.mock.calls[0]).toEqual(['/api/v1/plans/{plan_id}/evidence/{evidence_id}/restore', { params: { path: { plan_id: 'p1', evidence_id: 'e1' } } }]);
  });

  it('names what an evidence item links, feedback by its status only', () => {
    const linked = {
      ...item,
      activities: [{ id: 'a1', title: 'Bridport focus group', starts_at: '2026-03-02T10:00:00Z', duty_limb: 'proposals' }],
      feedback: [{ id: 'f1', status: 'responded', responded_at: '2026-03-20T09:00:00Z', told_at: null }],
      documents: [{ id: 'doc1', title: 'Consultation pack', kind: 'consultation_pack', sha256: 'ab' }],
    };
    renderDuty(plan, { evidence: [linked] });
    expect(screen.getByText(/^Activity: Bridport focus group/)).toBeInTheDocument();
    expect(screen.getByText(/^Feedback: Responded, responded/)).toBeInTheDocument();
    expect(screen.getByText('Document: Consultation pack')).toBeInTheDocument();
  });

  it('corrects a consultation with every field (an emptied one cleared), If-Match carrying its version', async () => {
    const patch = vi.spyOn(api, 'PATCH').mockResolvedValue({ data: consultation, response: new Response() } as never);
    renderDuty(plan, { consultations: [consultation] });
    const form = screen.getByRole('form', { name: 'Edit Urgent care consultation' });
    fireEvent.change(within(form).getByLabelText('Closed'), { target: { value: '2026-03-30' } });
    fireEvent.change(within(form).getByLabelText('Minimum days (optional)'), { target: { value: '' } });
    fireEvent.submit(form);
    await waitFor(() => expect(patch).toHaveBeenCalled());
    expect(patch.mock.calls[0]).toEqual(['/api/v1/plans/{plan_id}/consultations/{consultation_id}', {
      params: { path: { plan_id: 'p1', consultation_id: 'c1' }, header: { 'If-Match': '"4"' } },
      body: { title: 'Urgent care consultation', opened_date: '2026-01-05', closed_date: '2026-03-30', minimum_days: null, shorter_reason: null,
        decision_date: null, decision_maker: null, decision_summary: null },
    }]);
  });

  it("corrects a document's details (publication time as ISO 8601, consultation unlinked) with If-Match", async () => {
    const patch = vi.spyOn(api, 'PATCH').mockResolvedValue({ data: pack, response: new Response() } as never);
    renderDuty(plan, { documents: [pack], consultations: [consultation] });
    const form = screen.getByRole('form', { name: 'Details of Consultation pack' });
    fireEvent.change(within(form).getByLabelText('Published at (optional)'), { target: { value: '2026-01-05T09:00' } });
    fireEvent.change(within(form).getByLabelText('Consultation (optional)'), { target: { value: '' } });
    fireEvent.submit(form);
    await waitFor(() => expect(patch).toHaveBeenCalled());
    expect(patch.mock.calls[0]).toEqual(['/api/v1/plans/{plan_id}/documents/{document_id}', {
      params: { path: { plan_id: 'p1', document_id: 'doc1' }, header: { 'If-Match': '"2"' } },
      body: { title: 'Consultation pack', kind: 'consultation_pack', consultation_id: null, published_at: new Date('2026-01-05T09:00').toISOString() },
    }]);
  });

  it('deletes a document after asking, with If-Match', async () => {
    const del = vi.spyOn(api, 'DELETE').mockResolvedValue({ response: new Response(null, { status: 204 }) } as never);
    renderDuty(plan, { documents: [pack] });
    fireEvent.click(screen.getByRole('button', { name: /^Delete\s*Consultation pack$/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, delete it' }));
    await waitFor(() => expect(del).toHaveBeenCalled());
    expect(del.mock.calls[0]).toEqual(['/api/v1/plans/{plan_id}/documents/{document_id}', { params: { path: { plan_id: 'p1', document_id: 'doc1' }, header: { 'If-Match': '"2"' } } }]);
  });

  it('deletes correspondence recorded in error after asking, with If-Match', async () => {
    const del = vi.spyOn(api, 'DELETE').mockResolvedValue({ response: new Response(null, { status: 204 }) } as never);
    const letter = { id: 'k1', plan_id: 'p1', direction: 'sent', correspondence_date: '2026-02-10', summary: 'Briefing', document_id: null,
      created_at: '2026-02-10T10:00:00Z', updated_at: '2026-02-10T10:00:00Z', created_by: null, updated_by: null, version: 3 };
    renderPage(<Duty />, { path: '/plans/:id/duty', url: '/plans/p1/duty', role: 'lead', cache: [[['plan', 'p1'], plan], [['scrutiny', 'p1'], { ...unrecorded, correspondence: [letter] }]] });
    fireEvent.click(screen.getByRole('button', { name: /^Delete\s*the correspondence of/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, delete it' }));
    await waitFor(() => expect(del).toHaveBeenCalled());
    expect(del.mock.calls[0]).toEqual(['/api/v1/plans/{plan_id}/scrutiny/correspondence/{correspondence_id}', { params: { path: { plan_id: 'p1', correspondence_id: 'k1' }, header: { 'If-Match': '"3"' } } }]);
  });

  it('writes from the version each open form was filled from, not one a background refetch brought (412 on theirs)', async () => {
    const recorded = { ...unrecorded, recorded: true, id: 'sc1', committee_name: 'HOSC', version: 2 };
    const put = vi.spyOn(api, 'PUT').mockResolvedValue({ data: assessment, response: new Response() } as never);
    const patch = vi.spyOn(api, 'PATCH').mockResolvedValue({ data: consultation, response: new Response() } as never);
    const queryClient = renderDuty(plan, { current: assessment, consultations: [consultation], documents: [pack], scrutiny: recorded });
    // Someone else saves each record; the page refetches (window focus) while the forms are open.
    act(() => {
      queryClient.setQueryData(['duty-assessment', 'p1'], { ...assessment, number: 4, version: 4 });
      queryClient.setQueryData(['consultations', 'p1'], { ...empty, items: [{ ...consultation, version: 5 }] });
      queryClient.setQueryData(['documents', 'p1'], { ...empty, items: [{ ...pack, version: 3 }] });
      queryClient.setQueryData(['scrutiny', 'p1'], { ...recorded, version: 3 });
    });
    await screen.findByRole('button', { name: 'Sign off version 4' });
    for (const name of ['Record applicability', 'Edit Urgent care consultation', 'Details of Consultation pack', 'Scrutiny record']) {
      fireEvent.submit(screen.getByRole('form', { name }));
    }
    await waitFor(() => expect(put).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(patch).toHaveBeenCalledTimes(2));
    const header = (call: unknown[]) => (call[1] as { params: { header: Record<string, string> } }).params.header['If-Match'];
    expect(put.mock.calls.map((call) => [call[0], header(call)])).toEqual([
      ['/api/v1/plans/{plan_id}/duty-assessment', '"3"'], ['/api/v1/plans/{plan_id}/scrutiny', '"2"'],
    ]);
    expect(patch.mock.calls.map((call) => [call[0], header(call)])).toEqual([
      ['/api/v1/plans/{plan_id}/consultations/{consultation_id}', '"4"'], ['/api/v1/plans/{plan_id}/documents/{document_id}', '"2"'],
    ]);
  });

  it("shows the API's error for a field beside it, the NHS.UK way, as well as in the summary", async () => {
    const problem = { type: 'x/validation', title: 'Invalid request', status: 422, detail: null,
      errors: [{ loc: ['body', 'substantial_variation_reason'], msg: 'Say why once it is assessed', type: 'missing' }] };
    vi.spyOn(api, 'PUT').mockResolvedValue({ error: problem, response: new Response(null, { status: 422 }) } as never);
    renderDuty(plan);
    const form = screen.getByRole('form', { name: 'Scrutiny record' });
    fireEvent.change(within(form).getByLabelText('Is it a substantial variation?'), { target: { value: 'yes' } });
    fireEvent.submit(form);
    const reason = await within(form).findByRole('textbox', { name: 'Why (required once assessed)', description: 'Error: Say why once it is assessed' });
    expect(reason).toHaveClass('nhsuk-textarea--error');
    expect(reason.closest('.nhsuk-form-group')).toHaveClass('nhsuk-form-group--error');
    expect(screen.getByRole('link', { name: 'Substantial variation reason: Say why once it is assessed' })).toHaveAttribute('href', '#s-reason');
    expect(within(form).getByLabelText('Committee name').closest('.nhsuk-form-group')).not.toHaveClass('nhsuk-form-group--error');
  });

  it('offers every activity of the plan to link as evidence, following the cursors beyond the first page', async () => {
    const later = { id: 'a2', title: 'Lyme Regis drop-in', starts_at: '2026-04-02T10:00:00Z' };
    const get = vi.spyOn(api, 'GET').mockImplementation((async (path: string, init: { params: { query?: { cursor?: string } } }) => {
      const cursor = init.params.query?.cursor;
      if (path === '/api/v1/activities') return { data: { items: [cursor ? later : activity], next_cursor: cursor ? null : 'n2' }, response: new Response() };
      return { data: empty, response: new Response() };
    }) as never);
    renderPage(<Duty />, {
      path: '/plans/:id/duty', url: '/plans/p1/duty', role: 'lead',
      cache: [[['plan', 'p1'], plan], [['duty-report', 'p1'], report], [['duties'], { ...empty, items: [duty] }], [['duty-assessment', 'p1'], null], [['scrutiny', 'p1'], unrecorded]],
    });
    const form = screen.getByRole('form', { name: 'Add evidence' });
    expect(await within(form).findByRole('option', { name: /Lyme Regis drop-in/ })).toBeInTheDocument();
    expect(within(form).getByRole('option', { name: /Bridport focus group/ })).toBeInTheDocument();
    const asked = (get.mock.calls as unknown as [string, { params: { query?: { cursor?: string } } }][])
      .filter(([path]) => path === '/api/v1/activities').map(([, init]) => init.params.query?.cursor);
    expect(asked).toEqual([undefined, 'n2']);
  });

  it('shows a failed download (the network down) instead of leaving the rejection unhandled', async () => {
    vi.spyOn(api, 'GET').mockRejectedValue(new TypeError('Failed to fetch'));
    renderDuty(plan, { documents: [pack] });
    fireEvent.click(screen.getByRole('button', { name: 'Download Consultation pack' }));
    expect(await screen.findByText('Failed to fetch')).toBeInTheDocument();
  });
});
