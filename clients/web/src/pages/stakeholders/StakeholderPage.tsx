import type { FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Select, TextInput } from 'nhsuk-react-components';
import { api, ensureOk, etagOf, unwrap, type Schemas } from '../../api/client';
import { stakeholderQuery } from '../../api/queries';
import { useCan } from '../../auth/roles';
import { ConfirmAction } from '../../components/ConfirmAction';
import { saveBlob } from '../../components/download';
import { ErrorSummaryBox } from '../../components/ErrorSummaryBox';
import { Pager } from '../../components/Pager';
import { keepPagesOf, useCursorPager } from '../../components/paging';
import { fieldErrors, useProblem } from '../../components/problems';
import { useTitle } from '../../components/useTitle';
import { BackTo, Contact, DataTable, formatDate, humanise, Loaded, StatusTag, Summary } from '../../components/ui';
import { ATTITUDES } from './options';

/** Interest and influence over time: two lines on a 1–5 scale, with the table below as the text alternative. */
function AssessmentChart({ items }: { items: Schemas['AssessmentRead'][] }) {
  const points = [...items].reverse();
  if (points.length < 2) return null;
  const w = 320, h = 120, step = w / (points.length - 1);
  const y = (v: number) => h - ((v - 1) / 4) * (h - 10) - 5;
  const line = (key: 'interest' | 'influence') => points.map((p, i) => `${i * step},${y(p[key])}`).join(' ');
  return (
    <svg width={w} height={h} role="img" aria-label="Chart of interest (solid) and influence (dashed) over time; the table below lists the same figures" className="nhsuk-u-margin-bottom-3">
      <polyline points={line('interest')} fill="none" stroke="#005eb8" strokeWidth="3" />
      <polyline points={line('influence')} fill="none" stroke="#212b32" strokeWidth="3" strokeDasharray="6 4" />
    </svg>
  );
}

export default function StakeholderPage() {
  const { id = '' } = useParams();
  const may = useCan();
  const queryClient = useQueryClient();
  const stakeholder = useQuery(stakeholderQuery(id));
  // Not the name: the title goes into the browser's history (and its sync), the heading does not.
  useTitle('Stakeholder');
  // Each list a page at a time (one read of 50 left the rest unseen); paging starts again on another person.
  const assessmentPager = useCursorPager(id);
  const assessments = useQuery({
    queryKey: ['assessments', id, assessmentPager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/stakeholders/{stakeholder_id}/assessments', {
      params: { path: { stakeholder_id: id }, query: { limit: 50, sort: '-assessed_at', cursor: assessmentPager.cursor } },
    })),
    placeholderData: keepPagesOf(['assessments', id]),
  });
  const activityPager = useCursorPager(id);
  const activities = useQuery({
    queryKey: ['stakeholder-activities', id, activityPager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/stakeholders/{stakeholder_id}/activities', {
      params: { path: { stakeholder_id: id }, query: { limit: 50, cursor: activityPager.cursor } },
    })),
    placeholderData: keepPagesOf(['stakeholder-activities', id]),
  });
  const feedbackPager = useCursorPager(id);
  const feedback = useQuery({
    queryKey: ['feedback', { stakeholder_id: id }, feedbackPager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/feedback', { params: { query: { stakeholder_id: id, limit: 50, cursor: feedbackPager.cursor } } })),
    placeholderData: keepPagesOf(['feedback', { stakeholder_id: id }]),
  });
  const { problem, clear, onError } = useProblem();
  // Archiving answers 204 (ensureOk); a refusal (403, 412) is shown rather than dropped.
  const archive = useMutation({
    mutationFn: async (s: Schemas['StakeholderRead']) =>
      s.archived_at
        ? unwrap(await api.POST('/api/v1/stakeholders/{stakeholder_id}/restore', { params: { path: { stakeholder_id: s.id } } }))
        : ensureOk(await api.DELETE('/api/v1/stakeholders/{stakeholder_id}', { params: { path: { stakeholder_id: s.id }, header: { 'If-Match': etagOf(s.version) } } })),
    onSuccess: clear,
    onError,
    onSettled: () => {
      queryClient.invalidateQueries({ queryKey: ['stakeholder', id] });
      queryClient.invalidateQueries({ queryKey: ['stakeholders'] });
    },
  });

  return (
    <Loaded query={stakeholder}>
      {(s) => (
        <>
          <BackTo to="/stakeholders">Stakeholder register</BackTo>
          <ErrorSummaryBox problem={problem} />
          <h1>
            <bdi>{s.name}</bdi> {s.erased_at ? <StatusTag value="archived" text="Erased" /> : s.archived_at && <StatusTag value="archived" text="Archived" />}
          </h1>
          {s.erased_at && (
            <div className="nhsuk-inset-text">
              <p>This person's personal data was erased on {formatDate(s.erased_at)} (UK GDPR). The record stays so that counts and evidence still add up; it can no longer be changed.</p>
            </div>
          )}
          {s.restricted_at && (
            <div className="nhsuk-warning-callout">
              <h2 className="nhsuk-warning-callout__label">
                <span role="text"><span className="nhsuk-u-visually-hidden">Important: </span>Processing restricted</span>
              </h2>
              <p>
                Since {formatDate(s.restricted_at)}{s.restriction_reason ? `: ${s.restriction_reason}` : ''}. This person is kept but left out of
                lists, exports, grids, plan audiences and reports; only admins can open this record, and each view is audited.
              </p>
            </div>
          )}
          {/* An erased record refuses every change (409), so nothing is offered. */}
          {may.edit && !s.erased_at && (
            <div className="nhsuk-body">
              <Link className="nhsuk-button nhsuk-u-margin-right-3" to={`/stakeholders/${s.id}/edit`}>
                Edit
              </Link>
              {s.archived_at ? (
                <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => archive.mutate(s)} disabled={archive.isPending}>
                  Restore
                </button>
              ) : (
                <ConfirmAction className="nhsuk-button nhsuk-button--secondary" disabled={archive.isPending} onConfirm={() => archive.mutate(s)}
                  question={<>Archive <bdi>{s.name}</bdi>? They leave the register, lists and exports until restored.</>} confirm="Yes, archive">
                  Archive
                </ConfirmAction>
              )}
            </div>
          )}
          <h2>Contact and needs</h2>
          <Summary
            rows={[
              ['Kind', humanise(s.kind)],
              ['Job title', s.job_title],
              ['Categories', s.categories.map(humanise).join(', ')],
              ['Email', <Contact value={s.email} />],
              ['Phone', <Contact value={s.phone} />],
              ['Address', <Contact value={s.address} />],
              ['Postcode', <Contact value={s.postcode} />],
              ['Preferred channels', s.preferred_channels.map(humanise).join(', ')],
              ['Communication needs', [...s.communication_needs.map(humanise), s.interpreter_language].filter(Boolean).join(', ')],
              ['Agreed to contact', s.contact_consent ? `Yes (${humanise(s.consent_basis)})` : 'No'],
              ['Champion', s.is_champion ? 'Yes' : 'No'],
              ['Tags', s.tags.join(', ')],
              ['Objection', s.objection_date
                ? `To ${s.objection_scope === 'contact' ? 'any contact' : 'processing'} on ${formatDate(s.objection_date)}: ${humanise(s.objection_outcome)}${s.objection_grounds && s.objection_grounds !== '***' ? ` (${s.objection_grounds})` : ''}`
                : 'None recorded'],
              // A later objection to processing is shown above; one to contact before it still keeps consent off
              ...(s.objection_scope !== 'contact' && s.contact_objection
                ? [['Objection to contact', humanise(s.contact_objection)] as [string, string]] : []),
            ]}
          />
          {may.edit && !s.erased_at && <ObjectionForm person={s} />}
          <h2>Interest and influence</h2>
          <Loaded query={assessments}>
            {(page) => (
              <>
                {/* A restricted person may not be assessed (the API answers 409; only an admin sees them at all). */}
                {/* The latest assessment is the first of the first page (newest first). */}
                {may.edit && !s.archived_at && !s.restricted_at && <AssessmentForm stakeholderId={s.id} latest={assessmentPager.hasPrevious ? undefined : page.items[0]} />}
                <AssessmentChart items={page.items} />
                <DataTable
                  caption="Assessment history"
                  rows={page.items}
                  rowKey={(a) => a.id}
                  empty="Not assessed yet."
                  columns={[
                    ['Date', (a) => formatDate(a.assessed_at)],
                    ['Interest', (a) => a.interest],
                    ['Influence', (a) => a.influence],
                    ['Quadrant', (a) => <StatusTag value={a.quadrant} />],
                    ['For', (a) => (a.plan_id ? <Link to={`/plans/${a.plan_id}`}>Plan</Link> : 'General')],
                    ['Rationale', (a) => a.rationale ?? '—'],
                  ]}
                />
                <Pager label="Pages of assessments" hasPrevious={assessmentPager.hasPrevious} page={assessmentPager.page} nextCursor={page.next_cursor}
                  onPrevious={assessmentPager.previous} onNext={assessmentPager.next} busy={assessments.isPlaceholderData} />
              </>
            )}
          </Loaded>
          <h2>Activities</h2>
          <Loaded query={activities}>
            {(page) => (
              <>
                <DataTable
                  caption="Activities"
                  rows={page.items}
                  rowKey={(a) => a.activity_id}
                  empty="No activities recorded."
                  columns={[
                    ['Activity', (a) => <Link to={`/activities/${a.activity_id}`} dir="auto">{a.title}</Link>],
                    ['Date', (a) => formatDate(a.starts_at)],
                    ['Invited', (a) => (a.invited ? 'Yes' : 'No')],
                    ['Attended', (a) => (a.attended ? 'Yes' : 'No')],
                  ]}
                />
                <Pager label="Pages of activities" hasPrevious={activityPager.hasPrevious} page={activityPager.page} nextCursor={page.next_cursor}
                  onPrevious={activityPager.previous} onNext={activityPager.next} busy={activities.isPlaceholderData} />
              </>
            )}
          </Loaded>
          <h2>Feedback</h2>
          <Loaded query={feedback}>
            {(page) => (
              <>
                <DataTable
                  caption="Feedback"
                  rows={page.items}
                  rowKey={(f) => f.id}
                  empty="No feedback recorded."
                  columns={[
                    ['Said', (f) => <Link to={`/feedback/${f.id}`}>{f.text.slice(0, 80)}</Link>],
                    ['Received', (f) => formatDate(f.received_at)],
                    ['Status', (f) => <StatusTag value={f.status} />],
                  ]}
                />
                <Pager label="Pages of feedback" hasPrevious={feedbackPager.hasPrevious} page={feedbackPager.page} nextCursor={page.next_cursor}
                  onPrevious={feedbackPager.previous} onNext={feedbackPager.next} busy={feedback.isPlaceholderData} />
              </>
            )}
          </Loaded>
          {may.administer && <DataProtection person={s} />}
        </>
      )}
    </Loaded>
  );
}

/** Record the person's objection (UK GDPR Art. 21; admin or lead): the latest replaces the one shown above. */
export function ObjectionForm({ person }: { person: Schemas['StakeholderRead'] }) {
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  const save = useMutation({
    mutationFn: async (body: Schemas['ObjectionCreate']) =>
      unwrap(await api.POST('/api/v1/stakeholders/{stakeholder_id}/objection', { params: { path: { stakeholder_id: person.id } }, body })),
    onSuccess: (saved) => {
      clear();
      queryClient.setQueryData(stakeholderQuery(person.id).queryKey, saved);
      queryClient.invalidateQueries({ queryKey: ['stakeholders'] });
    },
    onError,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({
      scope: form.get('scope') as Schemas['ObjectionScope'],
      grounds: String(form.get('grounds') ?? '').trim(),
      outcome: form.get('outcome') as Schemas['ObjectionOutcome'],
      objection_date: String(form.get('objection_date') ?? '') || null,
    });
  }
  const errors = fieldErrors(problem);
  return (
    <details className="nhsuk-details">
      <summary className="nhsuk-details__summary"><span className="nhsuk-details__summary-text">Record an objection</span></summary>
      <div className="nhsuk-details__text">
        <ErrorSummaryBox problem={problem} fieldIds={{ grounds: 'objection-grounds', objection_date: 'objection-date' }} />
        <form onSubmit={submit} noValidate aria-label="Record an objection">
          <Select id="objection-scope" name="scope" label="They object to" defaultValue="contact"
            hint="An objection to any contact turns their agreement to be contacted off">
            <option value="contact">Any contact from us</option>
            <option value="processing">Processing of their data</option>
          </Select>
          <TextInput id="objection-grounds" name="grounds" label="Their grounds" width={30} error={errors.grounds} />
          <TextInput id="objection-date" name="objection_date" type="date" label="When they objected (optional: today)" error={errors.objection_date} />
          <Select id="objection-outcome" name="outcome" label="Outcome" defaultValue="pending">
            <option value="pending">Pending</option>
            <option value="upheld">Upheld</option>
            <option value="not_upheld">Not upheld</option>
          </Select>
          <Button type="submit" secondary disabled={save.isPending}>Record objection</Button>
        </form>
      </div>
    </details>
  );
}

/** An admin's UK GDPR actions on one person: subject access, restriction of processing, erasure. */
export function DataProtection({ person }: { person: Schemas['StakeholderRead'] }) {
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  const path = { params: { path: { stakeholder_id: person.id } } };
  function changed(saved: Schemas['StakeholderRead']) {
    clear();
    queryClient.setQueryData(stakeholderQuery(person.id).queryKey, saved);
    // An erasure wipes the rationale of their assessments and the text of their feedback too.
    for (const key of ['stakeholders', 'assessments', 'stakeholder-activities', 'feedback']) queryClient.invalidateQueries({ queryKey: [key] });
  }
  const restrict = useMutation({
    mutationFn: async (reason: string) => unwrap(await api.POST('/api/v1/stakeholders/{stakeholder_id}/restriction', { ...path, body: { reason } })),
    onSuccess: changed,
    onError,
  });
  const lift = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/api/v1/stakeholders/{stakeholder_id}/restriction', path)),
    onSuccess: changed,
    onError,
  });
  const erase = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/stakeholders/{stakeholder_id}/erase', path)),
    onSuccess: changed,
    onError,
  });
  const access = useMutation({
    mutationFn: async () => unwrap(await api.GET('/api/v1/stakeholders/{stakeholder_id}/subject-access', path)),
    onSuccess: (report) => {
      clear();
      saveBlob(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }), `subject-access-${person.id}.json`);
    },
    onError,
  });
  const busy = restrict.isPending || lift.isPending || erase.isPending;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    restrict.mutate(String(new FormData(event.currentTarget).get('reason') ?? '').trim());
  }
  return (
    <>
      <h2>Data protection</h2>
      <ErrorSummaryBox problem={problem} fieldIds={{ reason: 'restriction-reason' }} />
      <p className="nhsuk-body">
        <Button type="button" secondary onClick={() => access.mutate()} disabled={access.isPending}>
          Download what is held about them
        </Button>
      </p>
      {/* Erased: nothing is left to restrict or erase (the API answers 409). */}
      {!person.erased_at && (
        <>
          {person.restricted_at ? (
            <p className="nhsuk-body">
              <Button type="button" secondary onClick={() => lift.mutate()} disabled={busy}>
                Lift the restriction
              </Button>
            </p>
          ) : (
            <form onSubmit={submit} noValidate aria-label="Restrict processing">
              <TextInput id="restriction-reason" name="reason" label="Why processing is restricted" width={30}
                hint="For example: accuracy contested by the person (Art. 18(1)(a))" error={fieldErrors(problem).reason} />
              <Button type="submit" secondary disabled={busy}>Restrict processing</Button>
            </form>
          )}
          <ConfirmAction className="nhsuk-button nhsuk-button--warning" disabled={busy} onConfirm={() => erase.mutate()}
            question={<>Erase <bdi>{person.name}</bdi>'s personal data? Their name, contact details, notes and what they said are wiped for good; counts and evidence stay. This cannot be undone.</>}
            confirm="Yes, erase">
            Erase personal data
          </ConfirmAction>
        </>
      )}
    </>
  );
}

/** A new assessment; the attitude starts from the latest one's, so adding scores does not clear it. */
export function AssessmentForm({ stakeholderId, latest }: { stakeholderId: string; latest: Schemas['AssessmentRead'] | undefined }) {
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  const save = useMutation({
    mutationFn: async (body: Schemas['AssessmentCreate']) =>
      unwrap(await api.POST('/api/v1/stakeholders/{stakeholder_id}/assessments', { params: { path: { stakeholder_id: stakeholderId } }, body })),
    onSuccess: () => {
      clear();
      queryClient.invalidateQueries({ queryKey: ['assessments', stakeholderId] });
      queryClient.invalidateQueries({ queryKey: ['grid'] });
    },
    onError,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({
      interest: Number(form.get('interest')),
      influence: Number(form.get('influence')),
      attitude: form.get('attitude') ? Number(form.get('attitude')) : null,
      rationale: String(form.get('rationale') ?? '') || null,
      plan_id: null,
    });
  }
  const errors = fieldErrors(problem);
  const scores = [1, 2, 3, 4, 5];
  return (
    <form onSubmit={submit} className="app-filters" aria-label="Add an assessment">
      <ErrorSummaryBox problem={problem} />
      <Select id="interest" name="interest" label="Interest (1 to 5)" defaultValue="3" error={errors.interest}>
        {scores.map((n) => <option key={n} value={n}>{n}</option>)}
      </Select>
      <Select id="influence" name="influence" label="Influence (1 to 5)" defaultValue="3" error={errors.influence}>
        {scores.map((n) => <option key={n} value={n}>{n}</option>)}
      </Select>
      <Select id="attitude" name="attitude" label="Attitude" defaultValue={latest?.attitude ?? ''} error={errors.attitude}>
        <option value="">Not judged</option>
        {ATTITUDES.map(([value, name]) => <option key={value} value={value}>{`${name} (${value})`}</option>)}
      </Select>
      <TextInput id="rationale" name="rationale" label="Rationale (optional)" width={20} error={errors.rationale} />
      <Button type="submit" secondary disabled={save.isPending}>
        Add assessment
      </Button>
    </form>
  );
}
