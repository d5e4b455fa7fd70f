import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { api, ApiError, ensureOk, ifMatch, toApiError, unwrap, type Problem, type Schemas } from '../api/client';
import { planChoicesQuery, planQuery } from '../api/queries';
import { useCan } from '../auth/roles';
import { ConfirmAction } from '../components/ConfirmAction';
import { ErrorSummaryBox } from '../components/ErrorSummaryBox';
import { saveBlob } from '../components/download';
import { changedFields, text } from '../components/fields';
import { allPages } from '../components/paging';
import { inputErrors, useProblem } from '../components/problems';
import { useTitle } from '../components/useTitle';
import { BackTo, DataTable, formatDate, humanise, Loaded, StatusTag, Summary } from '../components/ui';
import { ApplicabilityForm, ApplicabilityTable, VersionHistory } from './duty/Applicability';
import { ConsultationForm, consultationFieldIds } from './duty/ConsultationForm';
import { DOCUMENT_KINDS, DocumentForm, documentFieldIds } from './duty/DocumentForm';
import { DutyReportView } from './duty/DutyReport';
import { ConsultationChoice, EvidenceDecision, EvidenceDecisionForm, evidenceDecisionFieldIds } from './duty/EvidenceDecision';
import { Field, FieldErrors } from './duty/Field';
import { SCRUTINY_FIELD_IDS, ScrutinyForm } from './duty/ScrutinyForm';

// Field name in a problem+json error → the input the error summary links to, per form.
const FIELDS = {
  upload: { file: 'file', title: 'doc-title', kind: 'doc-kind', consultation_id: 'doc-consultation', published_at: 'doc-published' },
  scrutiny: SCRUTINY_FIELD_IDS,
  correspondence: { direction: 'k-direction', correspondence_date: 'k-date', summary: 'k-summary', document_id: 'k-document' },
  evidence: {
    requirement_id: 'e-requirement', summary: 'e-summary', activity_ids: 'e-activities', feedback_ids: 'e-feedback', document_ids: 'e-documents',
    decision: 'e-decision', decision_date: 'e-decision-date', consultation_id: 'e-consultation',
  },
  none: {},
} satisfies Record<string, Record<string, string>>;


/** `/duty` without a plan lists the plans; `/plans/:id/duty` (or `/duty?plan_id=`) shows one plan's record. */
export default function Duty() {
  const { id } = useParams();
  const [search] = useSearchParams();
  const planId = id ?? search.get('plan_id');
  return planId ? <PlanDuty planId={planId} /> : <ChoosePlan />;
}

function ChoosePlan() {
  useTitle('Duty to involve');
  const plans = useQuery(planChoicesQuery);
  return (
    <>
      <h1>Duty to involve</h1>
      <p className="nhsuk-body">Choose a plan to see its applicability record, consultations, scrutiny, evidence and duty report.</p>
      <Loaded query={plans}>
        {(page) => (
          <>
            <ul className="nhsuk-list">
              {page.items.map((p) => <li key={p.id}><Link to={`/plans/${p.id}/duty`} dir="auto">{p.title}</Link></li>)}
            </ul>
            {page.next_cursor && (
              <p className="nhsuk-body">
                Showing the first {page.items.length} plans. Open any other from <Link to="/plans">the list of plans</Link>: its page links to its duty record.
              </p>
            )}
          </>
        )}
      </Loaded>
    </>
  );
}

/** What an evidence item links, by name (feedback by its status: its words are personal and never repeated). */
function EvidenceLinks({ item }: { item: Schemas['EvidenceRead'] }) {
  const lines = [
    ...item.activities.map((a) => `Activity: ${a.title} (${formatDate(a.starts_at)})`),
    ...item.feedback.map((f) => `Feedback: ${humanise(f.status)}${f.responded_at ? `, responded ${formatDate(f.responded_at)}` : ''}`),
    ...item.documents.map((d) => `Document: ${d.title}`),
  ];
  if (lines.length === 0) return <>—</>;
  return <ul className="nhsuk-list nhsuk-u-margin-bottom-0">{lines.map((line, i) => <li key={i} dir="auto">{line}</li>)}</ul>;
}

function PlanDuty({ planId }: { planId: string }) {
  const may = useCan();
  const queryClient = useQueryClient();
  const { problem, clear, onError: setFailure } = useProblem();
  const [notice, setNotice] = useState<string | null>(null);
  const path = { plan_id: planId };
  const plan = useQuery(planQuery(planId));
  useTitle(plan.data ? `Duty to involve: ${plan.data.title}` : 'Duty to involve');
  const report = useQuery({ queryKey: ['duty-report', planId], queryFn: async () => unwrap(await api.GET('/api/v1/plans/{plan_id}/duty-report', { params: { path } })) });
  // A plan's duty record is read whole, following every cursor: its lists are also the choices of the forms below
  // (evidence links activities, feedback and documents; a document names its consultation), and one page would leave
  // the rest neither shown nor linkable.
  const duties = useQuery({ queryKey: ['duties'], queryFn: () => allPages(async (cursor) => unwrap(await api.GET('/api/v1/duties', { params: { query: { limit: 500, cursor } } }))) });
  const assessment = useQuery({
    queryKey: ['duty-assessment', planId],
    queryFn: async () => {
      const result = await api.GET('/api/v1/plans/{plan_id}/duty-assessment', { params: { path } });
      if (result.response.status === 404) return null; // never assessed
      return unwrap(result);
    },
  });
  const versions = useQuery({
    queryKey: ['duty-assessment-versions', planId],
    queryFn: () => allPages(async (cursor) => unwrap(await api.GET('/api/v1/plans/{plan_id}/duty-assessment/versions', { params: { path, query: { limit: 500, cursor } } }))),
  });
  const consultations = useQuery({
    queryKey: ['consultations', planId],
    queryFn: () => allPages(async (cursor) => unwrap(await api.GET('/api/v1/plans/{plan_id}/consultations', { params: { path, query: { limit: 500, cursor } } }))),
  });
  // Only to name the consultation an evidence item already names: an archived one is not offered for a new choice.
  const archivedConsultations = useQuery({
    queryKey: ['consultations-archived', planId],
    queryFn: () => allPages(async (cursor) => unwrap(await api.GET('/api/v1/plans/{plan_id}/consultations', { params: { path, query: { limit: 500, archived: true, cursor } } }))),
  });
  const documents = useQuery({
    queryKey: ['documents', planId],
    queryFn: () => allPages(async (cursor) => unwrap(await api.GET('/api/v1/plans/{plan_id}/documents', { params: { path, query: { limit: 500, cursor } } }))),
  });
  const scrutiny = useQuery({ queryKey: ['scrutiny', planId], queryFn: async () => unwrap(await api.GET('/api/v1/plans/{plan_id}/scrutiny', { params: { path } })) });
  const evidence = useQuery({
    queryKey: ['evidence', planId],
    queryFn: () => allPages(async (cursor) => unwrap(await api.GET('/api/v1/plans/{plan_id}/evidence', { params: { path, query: { limit: 500, cursor } } }))),
  });
  const archivedEvidence = useQuery({
    queryKey: ['evidence-archived', planId],
    queryFn: () => allPages(async (cursor) => unwrap(await api.GET('/api/v1/plans/{plan_id}/evidence', { params: { path, query: { limit: 500, archived: true, cursor } } }))),
  });
  // What evidence may link: the plan's live activities and feedback (an archived one is refused, 409).
  const activities = useQuery({
    queryKey: ['activities', planId],
    queryFn: () => allPages(async (cursor) => unwrap(await api.GET('/api/v1/activities', { params: { query: { plan_id: planId, limit: 500, cursor } } }))),
  });
  const feedback = useQuery({
    queryKey: ['feedback', planId],
    queryFn: () => allPages(async (cursor) => unwrap(await api.GET('/api/v1/feedback', { params: { query: { plan_id: planId, limit: 500, cursor } } }))),
  });

  function done(message: string, ...keys: string[]) {
    clear();
    setNotice(message);
    for (const key of keys) queryClient.invalidateQueries({ queryKey: [key, planId] });
    // Every duty report key: this plan's and Home's red items (['duty-report', 'red']), which reads it too.
    queryClient.invalidateQueries({ queryKey: ['duty-report'] });
  }
  const [fieldIds, setFieldIds] = useState<Record<string, string>>(FIELDS.none);
  const failed = (ids: Record<string, string>) => (error: unknown) => {
    setNotice(null);
    setFieldIds(ids);
    setFailure(error);
  };
  const onError = failed(FIELDS.none);

  // If-Match on the forms' writes: the version each form was filled from (useBaseVersion; none for a first record), so
  // another's change since is a 412, not silently overwritten; sign-off signs only the version on screen.
  const saveAssessment = useMutation({
    mutationFn: async ({ body, base }: { body: Schemas['DutyAssessmentWrite']; base: Schemas['DutyAssessmentRead'] | null }) =>
      unwrap(await api.PUT('/api/v1/plans/{plan_id}/duty-assessment', { params: { path, header: ifMatch(base) }, body })),
    onSuccess: (saved) => done(`Applicability record version ${saved.number} saved.`, 'duty-assessment', 'duty-assessment-versions'),
    onError,
  });
  const signOff = useMutation({
    mutationFn: async (shown: Schemas['DutyAssessmentRead']) => unwrap(await api.POST('/api/v1/plans/{plan_id}/duty-assessment/sign-off', { params: { path, header: ifMatch(shown) } })),
    onSuccess: (saved) => done(`Version ${saved.number} signed off.`, 'duty-assessment', 'duty-assessment-versions'),
    onError,
  });
  const addConsultation = useMutation({
    mutationFn: async (body: Schemas['ConsultationCreate']) => unwrap(await api.POST('/api/v1/plans/{plan_id}/consultations', { params: { path }, body })),
    onSuccess: () => done('Consultation added.', 'consultations'),
    onError: failed(consultationFieldIds('c')),
  });
  const updateConsultation = useMutation({
    mutationFn: async ({ c, body, base }: { c: Schemas['ConsultationRead']; body: Schemas['ConsultationUpdate']; base: Schemas['ConsultationRead'] | null }) =>
      unwrap(await api.PATCH('/api/v1/plans/{plan_id}/consultations/{consultation_id}', { params: { path: { plan_id: planId, consultation_id: c.id }, header: ifMatch(base) }, body })),
    onSuccess: (saved) => done(`Consultation “${saved.title}” saved.`, 'consultations'),
    onError: (error, { c }) => failed(consultationFieldIds(`c-${c.id}`))(error),
  });
  const archiveConsultation = useMutation({
    mutationFn: async (c: Schemas['ConsultationRead']) =>
      ensureOk(await api.DELETE('/api/v1/plans/{plan_id}/consultations/{consultation_id}', { params: { path: { plan_id: planId, consultation_id: c.id }, header: ifMatch(c) } })),
    onSuccess: () => done('Consultation archived.', 'consultations', 'consultations-archived'),
    onError,
  });
  const updateDocument = useMutation({
    mutationFn: async ({ d, body, base }: { d: Schemas['DocumentRead']; body: Schemas['DocumentUpdate']; base: Schemas['DocumentRead'] | null }) =>
      unwrap(await api.PATCH('/api/v1/plans/{plan_id}/documents/{document_id}', { params: { path: { plan_id: planId, document_id: d.id }, header: ifMatch(base) }, body })),
    onSuccess: (saved) => done(`Details of “${saved.title}” saved.`, 'documents', 'consultations'),
    onError: (error, { d }) => failed(documentFieldIds(`doc-${d.id}`))(error),
  });
  // Refused (409) while evidence or scrutiny correspondence cites the document, or the plan is on legal hold.
  const deleteDocument = useMutation({
    mutationFn: async (d: Schemas['DocumentRead']) =>
      ensureOk(await api.DELETE('/api/v1/plans/{plan_id}/documents/{document_id}', { params: { path: { plan_id: planId, document_id: d.id }, header: ifMatch(d) } })),
    onSuccess: () => done('Document deleted.', 'documents', 'consultations'),
    onError,
  });
  const upload = useMutation({
    mutationFn: async (form: FormData) =>
      unwrap(
        await api.POST('/api/v1/plans/{plan_id}/documents', {
          params: { path },
          // The typed body describes the multipart fields; the FormData itself is what is sent.
          body: {} as Schemas['DocumentUpload'],
          bodySerializer: () => form,
        }),
      ),
    onSuccess: (doc) => done(`Uploaded “${doc.title}” (SHA-256 ${doc.sha256}).`, 'documents', 'consultations'),
    onError: failed(FIELDS.upload),
  });
  const saveScrutiny = useMutation({
    mutationFn: async ({ body, base }: { body: Schemas['ScrutinyPut']; base: Schemas['ScrutinyRead'] | null }) =>
      unwrap(await api.PUT('/api/v1/plans/{plan_id}/scrutiny', { params: { path, header: ifMatch(base) }, body })),
    onSuccess: () => done('Scrutiny record saved.', 'scrutiny'),
    onError: failed(FIELDS.scrutiny),
  });
  const addCorrespondence = useMutation({
    mutationFn: async (body: Schemas['CorrespondenceCreate']) => unwrap(await api.POST('/api/v1/plans/{plan_id}/scrutiny/correspondence', { params: { path }, body })),
    onSuccess: () => done('Correspondence added.', 'scrutiny'),
    onError: failed(FIELDS.correspondence),
  });
  const deleteCorrespondence = useMutation({
    mutationFn: async (c: Schemas['CorrespondenceRead']) =>
      ensureOk(await api.DELETE('/api/v1/plans/{plan_id}/scrutiny/correspondence/{correspondence_id}', { params: { path: { plan_id: planId, correspondence_id: c.id }, header: ifMatch(c) } })),
    onSuccess: () => done('Correspondence deleted.', 'scrutiny'),
    onError,
  });
  const addEvidence = useMutation({
    mutationFn: async (body: Schemas['EvidenceCreate']) => unwrap(await api.POST('/api/v1/plans/{plan_id}/evidence', { params: { path }, body })),
    onSuccess: () => done('Evidence added.', 'evidence'),
    onError: failed(FIELDS.evidence),
  });
  // Sends only what the form changed from the item it was filled from, as the stakeholder form does: the consultation
  // of a plan on legal hold cannot change (409), so an unchanged one is never sent.
  const updateEvidence = useMutation({
    mutationFn: async ({ e, body, base }: { e: Schemas['EvidenceRead']; body: Schemas['EvidenceUpdate']; base: Schemas['EvidenceRead'] | null }) => {
      const changes = changedFields(body, base ?? e);
      if (Object.keys(changes).length === 0) return base ?? e; // nothing to save
      return unwrap(await api.PATCH('/api/v1/plans/{plan_id}/evidence/{evidence_id}', { params: { path: { plan_id: planId, evidence_id: e.id }, header: ifMatch(base) }, body: changes }));
    },
    onSuccess: () => done('Evidence item saved.', 'evidence'),
    onError: (error, { e }) => failed(evidenceDecisionFieldIds(`e-${e.id}`))(error),
  });
  const archiveEvidence = useMutation({
    mutationFn: async (item: Schemas['EvidenceRead']) =>
      ensureOk(await api.DELETE('/api/v1/plans/{plan_id}/evidence/{evidence_id}', { params: { path: { plan_id: planId, evidence_id: item.id }, header: ifMatch(item) } })),
    onSuccess: () => done('Evidence item archived.', 'evidence', 'evidence-archived'),
    onError,
  });
  const restoreEvidence = useMutation({
    mutationFn: async (item: Schemas['EvidenceRead']) =>
      unwrap(await api.POST('/api/v1/plans/{plan_id}/evidence/{evidence_id}/restore', { params: { path: { plan_id: planId, evidence_id: item.id } } })),
    onSuccess: () => done('Evidence item restored.', 'evidence', 'evidence-archived'),
    onError,
  });

  // Called from a click: a failure (a refusal, or the network down, which rejects) is shown, never left unhandled.
  async function download(doc: { id: string; filename?: string; title: string }) {
    try {
      const result = await api.GET('/api/v1/plans/{plan_id}/documents/{document_id}/content', { params: { path: { plan_id: planId, document_id: doc.id } }, parseAs: 'blob' });
      if (result.error !== undefined || !result.data) throw toApiError(result.error, result.response);
      saveBlob(result.data as unknown as Blob, doc.filename ?? doc.title);
    } catch (error) {
      onError(error);
    }
  }

  const requirements = (duties.data?.items ?? []).flatMap((d) => d.requirements.map((r) => ({ ...r, duty: d })));
  const consultationTitles = new Map([...(consultations.data?.items ?? []), ...(archivedConsultations.data?.items ?? [])].map((c) => [c.id, c.title]));
  const titleOf = (e: Schemas['EvidenceRead']) => (e.consultation_id ? consultationTitles.get(e.consultation_id) : undefined);

  return (
    <Loaded query={plan}>
      {(p) => (
        <FieldErrors.Provider value={inputErrors(problem, fieldIds)}>
          <BackTo to={`/plans/${p.id}`}>{p.title}</BackTo>
          <ErrorSummaryBox problem={problem} fieldIds={fieldIds} />
          {notice && (
            <div className="nhsuk-inset-text" role="status">
              <span className="nhsuk-u-visually-hidden">Information: </span>
              <p>{notice}</p>
            </div>
          )}
          <h1>Duty to involve: <bdi>{p.title}</bdi></h1>
          {p.archived_at && (
            <div className="nhsuk-inset-text">
              <span className="nhsuk-u-visually-hidden">Information: </span>
              <p>
                <StatusTag value="archived" text="Archived" /> This plan is archived: its record can be read and corrected, but nothing new can be
                added to it (a consultation, document, letter, evidence item, or a first scrutiny or applicability record) until it is restored.
              </p>
            </div>
          )}
          <ul className="nhsuk-list">
            {['Duty report', 'Applicability', 'Consultations and documents', 'Scrutiny', 'Evidence', 'Evidence pack'].map((s) => (
              <li key={s}><a href={`#${s.toLowerCase().replace(/ /g, '-')}`}>{s}</a></li>
            ))}
          </ul>

          <h2 id="duty-report">Duty report</h2>
          <Loaded query={report}>{(r) => <DutyReportView report={r} />}</Loaded>

          <h2 id="applicability">Applicability</h2>
          <Loaded query={assessment}>
            {(a) =>
              a ? (
                <>
                  <p className="nhsuk-body">
                    Version {a.number}, recorded {formatDate(a.created_at)}. {a.signed_off_at ? `Signed off ${formatDate(a.signed_off_at)}.` : 'Not signed off.'}
                  </p>
                  <ApplicabilityTable assessment={a} />
                  {may.edit && !a.signed_off_at && (
                    <Button type="button" secondary onClick={() => signOff.mutate(a)} disabled={signOff.isPending}>Sign off version {a.number}</Button>
                  )}
                </>
              ) : (
                <p className="nhsuk-body">No applicability record yet.</p>
              )
            }
          </Loaded>
          {/* An archived plan's record may be corrected, not first written (the API answers 409), as below. */}
          {may.edit && duties.data && assessment.data !== undefined && (!p.archived_at || assessment.data) && (
            <details className="nhsuk-details">
              <summary className="nhsuk-details__summary"><span className="nhsuk-details__summary-text">Record applicability (a new version)</span></summary>
              <div className="nhsuk-details__text">
                <ApplicabilityForm duties={duties.data.items} current={assessment.data} busy={saveAssessment.isPending} onSave={(body, base) => saveAssessment.mutateAsync({ body, base })} />
              </div>
            </details>
          )}
          <h3>History</h3>
          <Loaded query={versions}>{(page) => <VersionHistory versions={page.items} />}</Loaded>

          <h2 id="consultations-and-documents">Consultations and documents</h2>
          <Loaded query={consultations}>
            {(page) =>
              page.items.length === 0 ? (
                <p className="nhsuk-body">No consultation yet.</p>
              ) : (
                <>
                  {page.items.map((c) => (
                    <div key={c.id} className="nhsuk-card">
                      <div className="nhsuk-card__content">
                        <h3 className="nhsuk-card__heading" dir="auto">{c.title}</h3>
                        <Summary
                          rows={[
                            ['Opened', formatDate(c.opened_date)],
                            ['Closed', formatDate(c.closed_date)],
                            ['Duration', c.duration_days === null ? '—' : `${c.duration_days} days${c.shorter_than_minimum ? ` (shorter than the minimum of ${c.minimum_days})` : ''}`],
                            ['Decision', c.decision_date ? `${formatDate(c.decision_date)}: ${c.decision_summary ?? ''}${c.decision_maker ? ` (${c.decision_maker})` : ''}` : 'Not yet'],
                          ]}
                        />
                        <DataTable
                          caption={`Documents of ${c.title}`}
                          rows={c.documents}
                          rowKey={(d) => d.id}
                          empty="No document yet."
                          columns={[
                            ['Document', (d) => <button type="button" className="app-link-button" onClick={() => download(d)}>{d.title}</button>],
                            ['Kind', (d) => humanise(d.kind)],
                            ['SHA-256', (d) => <code className="app-hash">{d.sha256}</code>],
                            ['Published at launch', (d) => (d.published_at_launch ? 'Yes' : 'No')],
                          ]}
                        />
                        {may.edit && (
                          <>
                            {/* A consultation is recorded as it opens and corrected as it runs: closing date, decision. */}
                            <details className="nhsuk-details">
                              <summary className="nhsuk-details__summary"><span className="nhsuk-details__summary-text">Edit {c.title}</span></summary>
                              <div className="nhsuk-details__text">
                                <ConsultationForm label={`Edit ${c.title}`} prefix={`c-${c.id}`} consultation={c} busy={updateConsultation.isPending} submit="Save consultation"
                                  onSave={(body, base) => updateConsultation.mutateAsync({ c, body, base })} />
                              </div>
                            </details>
                            <ConfirmAction className="app-link-button" disabled={archiveConsultation.isPending} onConfirm={() => archiveConsultation.mutate(c)}
                              question={<>Archive <bdi>{c.title}</bdi>? Its documents stay with the plan.</>} confirm="Yes, archive it">
                              Archive<span className="nhsuk-u-visually-hidden"> {c.title}</span>
                            </ConfirmAction>
                          </>
                        )}
                      </div>
                    </div>
                  ))}
                </>
              )
            }
          </Loaded>
          <h3>All documents</h3>
          <Loaded query={documents}>
            {(page) => (
              <DataTable
                caption="Documents of the plan"
                rows={page.items}
                rowKey={(d) => d.id}
                empty="No document yet."
                columns={[
                  ['Document', (d) => <button type="button" className="app-link-button" onClick={() => download(d)}>{`Download ${d.title}`}</button>],
                  ['Kind', (d) => humanise(d.kind)],
                  ['Published', (d) => formatDate(d.published_at)],
                  ['SHA-256', (d) => <code className="app-hash">{d.sha256}</code>],
                  ...(may.edit
                    ? [['Change', (d: Schemas['DocumentRead']) => (
                        <>
                          <details className="nhsuk-details nhsuk-u-margin-bottom-2">
                            <summary className="nhsuk-details__summary"><span className="nhsuk-details__summary-text">Edit details<span className="nhsuk-u-visually-hidden"> of {d.title}</span></span></summary>
                            <div className="nhsuk-details__text">
                              <DocumentForm label={`Details of ${d.title}`} prefix={`doc-${d.id}`} document={d} consultations={consultations.data?.items ?? []}
                                busy={updateDocument.isPending} onSave={(body, base) => updateDocument.mutateAsync({ d, body, base })} />
                            </div>
                          </details>
                          <ConfirmAction className="app-link-button" disabled={deleteDocument.isPending} onConfirm={() => deleteDocument.mutate(d)}
                            question={<>Delete <bdi>{d.title}</bdi>? Its bytes go too; the audit trail keeps its hash.</>} confirm="Yes, delete it">
                            Delete<span className="nhsuk-u-visually-hidden"> {d.title}</span>
                          </ConfirmAction>
                        </>
                      )] satisfies [string, (d: Schemas['DocumentRead']) => ReactNode]]
                    : []),
                ]}
              />
            )}
          </Loaded>
          {may.edit && !p.archived_at && (
            <>
              <details className="nhsuk-details">
                <summary className="nhsuk-details__summary"><span className="nhsuk-details__summary-text">Add a consultation</span></summary>
                <div className="nhsuk-details__text">
                  <ConsultationForm label="Add a consultation" prefix="c" busy={addConsultation.isPending} submit="Add consultation" onSave={(body) => addConsultation.mutateAsync(body)} />
                </div>
              </details>
              <details className="nhsuk-details">
                <summary className="nhsuk-details__summary"><span className="nhsuk-details__summary-text">Upload a document</span></summary>
                <div className="nhsuk-details__text">
                  <form
                    aria-label="Upload a document"
                    onSubmit={(event: FormEvent<HTMLFormElement>) => {
                      event.preventDefault();
                      const f = new FormData(event.currentTarget);
                      // Drop blank optional parts, and send the publication time as ISO 8601.
                      for (const name of ['consultation_id', 'published_at']) if (!text(f, name)) f.delete(name);
                      const published = text(f, 'published_at');
                      if (published) f.set('published_at', new Date(published).toISOString());
                      upload.mutate(f);
                    }}
                  >
                    <Field id="file" label="File (PDF, DOCX, ODT, XLSX, text, CSV, PNG or JPEG)">{(i) => <input className="nhsuk-file-upload" type="file" id={i} name="file" />}</Field>
                    <Field id="doc-title" label="Title">{(i) => <input className="nhsuk-input" id={i} name="title" />}</Field>
                    <Field id="doc-kind" label="Kind">
                      {(i) => (
                        <select className="nhsuk-select" id={i} name="kind">
                          {DOCUMENT_KINDS.map((k) => <option key={k} value={k}>{humanise(k)}</option>)}
                        </select>
                      )}
                    </Field>
                    <Field id="doc-consultation" label="Consultation (optional)">
                      {(i) => (
                        <select className="nhsuk-select" id={i} name="consultation_id">
                          <option value="">None</option>
                          {(consultations.data?.items ?? []).map((c) => <option key={c.id} value={c.id} dir="auto">{c.title}</option>)}
                        </select>
                      )}
                    </Field>
                    <Field id="doc-published" label="Published at (optional)">{(i) => <input className="nhsuk-input nhsuk-input--width-20" type="datetime-local" id={i} name="published_at" />}</Field>
                    <Button type="submit" disabled={upload.isPending}>Upload</Button>
                  </form>
                </div>
              </details>
            </>
          )}

          <h2 id="scrutiny">Scrutiny</h2>
          <Loaded query={scrutiny}>
            {(s) => (
              <>
                <Summary
                  rows={[
                    ['Body', s.body === 'llais' ? 'Llais' : 'Overview and scrutiny committee'],
                    ['Committee', s.committee_name],
                    ['Substantial variation', s.substantial_variation === null ? 'Not assessed' : s.substantial_variation ? 'Yes' : 'No'],
                    ['Why', s.substantial_variation_reason],
                    ['Committee view', s.committee_view ? `${s.committee_view} (${formatDate(s.committee_view_date)})` : null],
                    ['Secretary of State notification', s.sos_notification_required === null ? 'Not recorded' : s.sos_notification_required ? `Required; notified ${formatDate(s.sos_notified_date)}` : 'Not required'],
                  ]}
                />
                <h3>Correspondence</h3>
                <DataTable
                  caption="Scrutiny correspondence"
                  rows={s.correspondence}
                  rowKey={(c) => c.id}
                  empty="No correspondence yet."
                  columns={[
                    ['Date', (c) => formatDate(c.correspondence_date)],
                    ['Direction', (c) => humanise(c.direction)],
                    ['Summary', (c) => c.summary],
                    ...(may.edit
                      ? [['Recorded in error?', (c: Schemas['CorrespondenceRead']) => (
                          <ConfirmAction className="app-link-button" disabled={deleteCorrespondence.isPending} onConfirm={() => deleteCorrespondence.mutate(c)}
                            question={`Delete this ${humanise(c.direction).toLowerCase()} item of ${formatDate(c.correspondence_date)}? The audit trail keeps what it said.`} confirm="Yes, delete it">
                            Delete<span className="nhsuk-u-visually-hidden"> the correspondence of {formatDate(c.correspondence_date)}</span>
                          </ConfirmAction>
                        )] satisfies [string, (c: Schemas['CorrespondenceRead']) => ReactNode]]
                      : []),
                  ]}
                />
                {may.edit && (!p.archived_at || s.recorded) && (
                  <details className="nhsuk-details">
                    <summary className="nhsuk-details__summary"><span className="nhsuk-details__summary-text">Edit the scrutiny record</span></summary>
                    <div className="nhsuk-details__text">
                      <ScrutinyForm scrutiny={s} busy={saveScrutiny.isPending} onSave={(body, base) => saveScrutiny.mutateAsync({ body, base })} />
                    </div>
                  </details>
                )}
                {may.edit && !p.archived_at && (
                  <details className="nhsuk-details">
                    <summary className="nhsuk-details__summary"><span className="nhsuk-details__summary-text">Add correspondence</span></summary>
                    <div className="nhsuk-details__text">
                      <form
                        aria-label="Add correspondence"
                        onSubmit={(event: FormEvent<HTMLFormElement>) => {
                          event.preventDefault();
                          const f = new FormData(event.currentTarget);
                          addCorrespondence.mutate({
                            direction: String(f.get('k-direction')) as Schemas['CorrespondenceCreate']['direction'],
                            correspondence_date: String(f.get('k-date') ?? ''),
                            summary: String(f.get('k-summary') ?? ''),
                            document_id: text(f, 'k-document'),
                          });
                        }}
                      >
                        <Field id="k-direction" label="Direction">
                          {(i) => (
                            <select className="nhsuk-select" id={i} name={i}>
                              <option value="sent">Sent</option><option value="received">Received</option><option value="meeting">Meeting</option>
                            </select>
                          )}
                        </Field>
                        <Field id="k-date" label="Date">{(i) => <input className="nhsuk-input nhsuk-input--width-10" type="date" id={i} name={i} />}</Field>
                        <Field id="k-summary" label="Summary">{(i) => <textarea className="nhsuk-textarea" rows={2} id={i} name={i} />}</Field>
                        <Field id="k-document" label="Document (optional)">
                          {(i) => (
                            <select className="nhsuk-select" id={i} name={i}>
                              <option value="">None</option>
                              {(documents.data?.items ?? []).map((d) => <option key={d.id} value={d.id} dir="auto">{d.title}</option>)}
                            </select>
                          )}
                        </Field>
                        <Button type="submit" disabled={addCorrespondence.isPending}>Add correspondence</Button>
                      </form>
                    </div>
                  </details>
                )}
              </>
            )}
          </Loaded>

          <h2 id="evidence">Evidence</h2>
          <Loaded query={evidence}>
            {(page) => (
              <DataTable
                caption="Evidence"
                rows={page.items}
                rowKey={(e) => e.id}
                empty="No evidence yet."
                columns={[
                  ['Requirement', (e) => `${e.duty_code}: ${e.requirement_code}`],
                  ['Summary', (e) => e.summary],
                  ['Decision', (e) => (
                    <>
                      <EvidenceDecision item={e} consultationTitle={titleOf(e)} />
                      {may.edit && (
                        <details className="nhsuk-details nhsuk-u-margin-top-2 nhsuk-u-margin-bottom-0">
                          <summary className="nhsuk-details__summary">
                            <span className="nhsuk-details__summary-text">Change<span className="nhsuk-u-visually-hidden"> the decision of the evidence item for {e.requirement_code}</span></span>
                          </summary>
                          <div className="nhsuk-details__text">
                            <EvidenceDecisionForm label={`Decision of the evidence item for ${e.requirement_code}`} prefix={`e-${e.id}`} item={e}
                              consultations={consultations.data?.items} currentTitle={titleOf(e)} busy={updateEvidence.isPending}
                              onSave={(body, base) => updateEvidence.mutateAsync({ e, body, base })} />
                          </div>
                        </details>
                      )}
                    </>
                  )],
                  ['Links', (e) => <EvidenceLinks item={e} />],
                  // Evidence recorded in error is archived, never deleted: it stays in the record (409 under legal hold).
                  ...(may.edit
                    ? [['Recorded in error?', (e: Schemas['EvidenceRead']) => (
                        <ConfirmAction className="app-link-button" disabled={archiveEvidence.isPending} onConfirm={() => archiveEvidence.mutate(e)}
                          question={`Archive this evidence item (${e.duty_code}: ${e.requirement_code})? It stays in the record as archived.`} confirm="Yes, archive it">
                          Archive<span className="nhsuk-u-visually-hidden"> the evidence item for {e.requirement_code}</span>
                        </ConfirmAction>
                      )] satisfies [string, (e: Schemas['EvidenceRead']) => ReactNode]]
                    : []),
                ]}
              />
            )}
          </Loaded>
          {may.edit && !p.archived_at && requirements.length > 0 && (
            <details className="nhsuk-details">
              <summary className="nhsuk-details__summary"><span className="nhsuk-details__summary-text">Add evidence</span></summary>
              <div className="nhsuk-details__text">
                <form
                  aria-label="Add evidence"
                  onSubmit={(event: FormEvent<HTMLFormElement>) => {
                    event.preventDefault();
                    const f = new FormData(event.currentTarget);
                    addEvidence.mutate({
                      requirement_id: String(f.get('e-requirement')),
                      summary: String(f.get('e-summary') ?? ''),
                      activity_ids: f.getAll('e-activities').map(String),
                      feedback_ids: f.getAll('e-feedback').map(String),
                      document_ids: f.getAll('e-documents').map(String),
                      decision: text(f, 'e-decision'),
                      decision_date: text(f, 'e-decision-date'),
                      consultation_id: text(f, 'e-consultation'),
                    });
                  }}
                >
                  <Field id="e-requirement" label="Requirement">
                    {(i) => (
                      <select className="nhsuk-select" id={i} name={i}>
                        {requirements.map((r) => <option key={r.id} value={r.id}>{`${r.duty.title}: ${r.title}`}</option>)}
                      </select>
                    )}
                  </Field>
                  <Field id="e-summary" label="Summary">{(i) => <textarea className="nhsuk-textarea" rows={2} id={i} name={i} />}</Field>
                  <Field id="e-activities" label="Activities (optional)">
                    {(i) => (
                      <select className="nhsuk-select" id={i} name={i} multiple>
                        {(activities.data?.items ?? []).map((a) => <option key={a.id} value={a.id} dir="auto">{`${formatDate(a.starts_at)}: ${a.title}`}</option>)}
                      </select>
                    )}
                  </Field>
                  <Field id="e-feedback" label="Feedback (optional)">
                    {(i) => (
                      <select className="nhsuk-select" id={i} name={i} multiple>
                        {/* Named by when, what and where it is, not by its words (personal; evidence never repeats them). */}
                        {(feedback.data?.items ?? []).map((fb) => (
                          <option key={fb.id} value={fb.id}>{`${formatDate(fb.received_at)}: ${humanise(fb.type)}${fb.themes.length ? ` on ${fb.themes.join(', ')}` : ''} (${humanise(fb.status)})`}</option>
                        ))}
                      </select>
                    )}
                  </Field>
                  <Field id="e-documents" label="Documents (optional)">
                    {(i) => (
                      <select className="nhsuk-select" id={i} name={i} multiple>
                        {(documents.data?.items ?? []).map((d) => <option key={d.id} value={d.id} dir="auto">{d.title}</option>)}
                      </select>
                    )}
                  </Field>
                  <Field id="e-decision" label="Decision (optional)">{(i) => <input className="nhsuk-input" id={i} name={i} />}</Field>
                  <Field id="e-decision-date" label="Decision date (optional)">{(i) => <input className="nhsuk-input nhsuk-input--width-10" type="date" id={i} name={i} />}</Field>
                  <ConsultationChoice id="e-consultation" value={null} consultations={consultations.data?.items} />
                  <Button type="submit" disabled={addEvidence.isPending}>Add evidence</Button>
                </form>
              </div>
            </details>
          )}

          <Loaded query={archivedEvidence}>
            {(page) =>
              page.items.length > 0 && (
                <details className="nhsuk-details">
                  <summary className="nhsuk-details__summary"><span className="nhsuk-details__summary-text">Archived evidence ({page.items.length})</span></summary>
                  <div className="nhsuk-details__text">
                    <DataTable
                      caption="Archived evidence"
                      rows={page.items}
                      rowKey={(e) => e.id}
                      columns={[
                        ['Requirement', (e) => `${e.duty_code}: ${e.requirement_code}`],
                        ['Summary', (e) => e.summary],
                        ['Archived', (e) => formatDate(e.archived_at)],
                        ...(may.edit
                          ? [['Restore', (e: Schemas['EvidenceRead']) => (
                              <button type="button" className="app-link-button" disabled={restoreEvidence.isPending} onClick={() => restoreEvidence.mutate(e)}>
                                Restore<span className="nhsuk-u-visually-hidden"> the evidence item for {e.requirement_code}</span>
                              </button>
                            )] satisfies [string, (e: Schemas['EvidenceRead']) => ReactNode]]
                          : []),
                      ]}
                    />
                  </div>
                </details>
              )
            }
          </Loaded>

          <h2 id="evidence-pack">Evidence pack</h2>
          {may.seal ? <EvidencePack planId={planId} onError={onError} /> : <p className="nhsuk-body">Admins, leads and auditors seal and download the evidence pack.</p>}
          <VerifyPanel />
        </FieldErrors.Provider>
      )}
    </Loaded>
  );
}

function EvidencePack({ planId, onError }: { planId: string; onError: (error: unknown) => void }) {
  const [busy, setBusy] = useState(false);
  async function seal(format: 'json' | 'html') {
    setBusy(true);
    try {
      // As text, so the file saved is byte for byte the sealed, canonical pack.
      const result = await api.GET('/api/v1/plans/{plan_id}/evidence-pack', { params: { path: { plan_id: planId }, query: { format } }, parseAs: 'text' });
      const body = unwrap(result as { data?: unknown; error?: unknown; response: Response }) as unknown as string;
      saveBlob(new Blob([body], { type: format === 'json' ? 'application/json' : 'text/html' }), `evidence-pack-${planId}.${format}`);
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <p className="nhsuk-body">Each download seals a new pack and records it in the audit trail.</p>
      <div className="app-filters">
        <Button type="button" onClick={() => seal('json')} disabled={busy}>Download the evidence pack (JSON)</Button>
        <Button type="button" secondary onClick={() => seal('html')} disabled={busy}>Download a printable pack (HTML)</Button>
      </div>
    </>
  );
}

/** Check a pack file: its digest, that the audit trail holds the event that sealed it, and that the trail is intact. */
export function VerifyPanel() {
  const [result, setResult] = useState<Schemas['Verification'] | null>(null);
  const { problem, setProblem, clear, onError } = useProblem();
  const verify = useMutation({
    mutationFn: async (text: string) => {
      let pack: Schemas['PackToVerify'];
      try {
        pack = JSON.parse(text) as Schemas['PackToVerify'];
      } catch {
        throw new ApiError(400, { type: 'about:blank', title: 'The file is not JSON.', status: 400 } as Problem);
      }
      return unwrap(await api.POST('/api/v1/evidence-packs/verify', { body: pack }));
    },
    onSuccess: (answer) => {
      clear();
      setResult(answer);
    },
    onError: (error) => {
      setResult(null);
      onError(error);
    },
  });
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const file = new FormData(event.currentTarget).get('pack-file');
    if (file instanceof File && file.size > 0) verify.mutate(await file.text());
    else setProblem({ type: 'about:blank', title: 'Choose a pack file.', status: 422, errors: [{ loc: ['pack_file'], msg: 'Choose a pack file', type: 'missing' }] } as Problem);
  }
  return (
    <>
      <h3>Verify a pack</h3>
      <ErrorSummaryBox problem={problem} fieldIds={{ pack_file: 'pack-file' }} />
      <FieldErrors.Provider value={inputErrors(problem, { pack_file: 'pack-file' })}>
        <form onSubmit={submit} aria-label="Verify an evidence pack">
          <Field id="pack-file" label="Evidence pack (JSON)">{(i) => <input className="nhsuk-file-upload" type="file" accept="application/json,.json" id={i} name={i} />}</Field>
          <Button type="submit" secondary disabled={verify.isPending}>Verify</Button>
        </form>
      </FieldErrors.Provider>
      {result && (
        <div className={`nhsuk-inset-text app-verify app-verify--${result.valid ? 'valid' : 'invalid'}`} role="status">
          <p>
            <strong>{result.valid ? 'Valid: the pack is intact and its seal is in the audit trail.' : 'Invalid: this pack cannot be trusted.'}</strong>
          </p>
          <ul className="nhsuk-list nhsuk-list--bullet">
            <li>Digest {result.digest_matches ? 'matches' : 'does not match'}</li>
            <li>Audit head {result.audit_head_found ? 'found' : 'not found'}</li>
            <li>Sealing event {result.sealed_event_found ? 'found' : 'not found'}</li>
            <li>Audit chain {result.audit_chain_intact ? 'intact' : 'broken'}</li>
            {result.reasons.map((r) => <li key={r}>{r}</li>)}
          </ul>
        </div>
      )}
    </>
  );
}
