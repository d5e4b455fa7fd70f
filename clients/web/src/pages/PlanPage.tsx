import type { FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, TextInput } from 'nhsuk-react-components';
import { api, etagOf, unwrap, type Schemas } from '../api/client';
import { planQuery } from '../api/queries';
import { useCan } from '../auth/roles';
import { ErrorSummaryBox } from '../components/ErrorSummaryBox';
import { Pager } from '../components/Pager';
import { keepPagesOf, useCursorPager } from '../components/paging';
import { fieldErrors, useProblem } from '../components/problems';
import { useTitle } from '../components/useTitle';
import { BackTo, DataTable, formatDate, humanise, Loaded, pounds, StatusTag, Summary } from '../components/ui';

export default function PlanPage() {
  const { id = '' } = useParams();
  const may = useCan();
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  const plan = useQuery(planQuery(id));
  useTitle(plan.data?.title ?? 'Plan');
  // Each list a page at a time (one read of 200 left the rest unseen); paging starts again on another plan.
  const actionPager = useCursorPager(id);
  const actions = useQuery({
    queryKey: ['actions', id, actionPager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/plans/{plan_id}/actions', { params: { path: { plan_id: id }, query: { limit: 200, cursor: actionPager.cursor } } })),
    placeholderData: keepPagesOf(['actions', id]),
  });
  const riskPager = useCursorPager(id);
  const risks = useQuery({
    queryKey: ['risks', id, riskPager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/plans/{plan_id}/risks', { params: { path: { plan_id: id }, query: { limit: 200, cursor: riskPager.cursor } } })),
    placeholderData: keepPagesOf(['risks', id]),
  });
  const approve = useMutation({
    mutationFn: async (p: Schemas['PlanRead']) =>
      unwrap(await api.POST('/api/v1/plans/{plan_id}/approve', { params: { path: { plan_id: p.id }, header: { 'If-Match': etagOf(p.version) } } })),
    onSuccess: (saved) => {
      clear();
      queryClient.setQueryData(planQuery(id).queryKey, saved);
      queryClient.invalidateQueries({ queryKey: ['plans'] });
    },
    onError,
  });

  return (
    <Loaded query={plan}>
      {(p) => (
        <>
          <BackTo to="/plans">Plans</BackTo>
          <ErrorSummaryBox problem={problem} />
          <h1 dir="auto">{p.title}</h1>
          <p className="nhsuk-body">
            <StatusTag value={p.status} /> {p.archived_at && <StatusTag value="archived" text="Archived" />} Stage: {humanise(p.stage)}
          </p>
          <ul className="nhsuk-list">
            <li><Link to={`/plans/${p.id}/grid`}>Power/interest grid for this plan</Link></li>
            <li><Link to={`/plans/${p.id}/you-said-we-did`}>“You said, we did” preview</Link></li>
            <li><Link to={`/activities?plan_id=${p.id}`}>Activities for this plan</Link></li>
            <li><Link to={`/plans/${p.id}/duty`}>Duty to involve record</Link></li>
          </ul>
          {p.legal_hold_at && (
            <div className="nhsuk-warning-callout">
              <h2 className="nhsuk-warning-callout__label">
                <span role="text"><span className="nhsuk-u-visually-hidden">Important: </span>On legal hold</span>
              </h2>
              <p>
                Since {formatDate(p.legal_hold_at)}{p.legal_hold_reason ? `: ${p.legal_hold_reason}` : ''}. Its record is frozen: the plan
                cannot be archived, its evidence and documents cannot be deleted, and the people it names cannot be erased.
              </p>
            </div>
          )}
          {may.administer && <LegalHold plan={p} />}
          {may.edit && p.status === 'draft' && !p.archived_at && (
            <Button type="button" onClick={() => approve.mutate(p)} disabled={approve.isPending}>
              Approve this plan
            </Button>
          )}
          <Summary
            rows={[
              ['Programme', p.programme],
              ['Purpose', p.purpose],
              ['Situation', p.situation_analysis],
              ['Approach', p.approach],
              ['Dates', `${formatDate(p.start_date)} to ${formatDate(p.end_date)}`],
              ['Approved', p.approved_at ? formatDate(p.approved_at) : 'Not yet'],
            ]}
          />
          <h2>Objectives</h2>
          <DataTable caption="Objectives" rows={p.objectives} rowKey={(o) => o.id} empty="No objectives yet."
            columns={[['Objective', (o) => o.statement], ['Measure', (o) => o.measure ?? '—'], ['Target', (o) => o.target ?? '—'], ['Due', (o) => formatDate(o.due_date)], ['Status', (o) => <StatusTag value={o.status} />]]} />
          <h2>Audiences</h2>
          <p className="nhsuk-body">
            {p.audience_categories.map(humanise).join(', ') || 'No audience categories.'} {p.audience_stakeholder_ids.length} named stakeholders
            {p.audience_withheld ? ' (and others whose processing is restricted, shown to admins only)' : ''},{' '}
            {p.audience_organisation_ids.length} organisations.
          </p>
          <h2>Key messages</h2>
          <DataTable caption="Key messages" rows={p.key_messages} rowKey={(m) => m.id} empty="No key messages yet."
            columns={[['Message', (m) => m.text], ['Approval', (m) => <StatusTag value={m.approval_status} />]]} />
          <h2>Channels</h2>
          <p className="nhsuk-body">{p.channels.map(humanise).join(', ') || 'None chosen.'}</p>
          <h2>Budget</h2>
          <DataTable caption="Budget" rows={p.budget_lines} rowKey={(b) => b.id} empty="No budget lines."
            columns={[['Item', (b) => b.item], ['Amount', (b) => pounds(b.amount_pence)], ['Funded from', (b) => b.funded_from ?? '—']]} />
          <p className="nhsuk-body">Total: {pounds(p.budget_total_pence)}</p>
          <h2>Action plan</h2>
          {/* An archived plan takes no new action (the API answers 409) until it is restored. */}
          {may.edit && !p.archived_at && <NewAction planId={p.id} />}
          <Loaded query={actions}>
            {(page) => (
              <>
                <DataTable caption="Actions" rows={page.items} rowKey={(a) => a.id} empty="No actions yet."
                  columns={[
                    ['Action', (a) => a.description],
                    ['Owner', (a) => a.owner_name ?? '—'],
                    ['Due', (a) => formatDate(a.due_date)],
                    ['Status', (a) => (a.overdue ? <StatusTag value="overdue" text={`Overdue (${humanise(a.status)})`} /> : <StatusTag value={a.status} />)],
                  ]} />
                <Pager label="Pages of actions" hasPrevious={actionPager.hasPrevious} page={actionPager.page} nextCursor={page.next_cursor}
                  onPrevious={actionPager.previous} onNext={actionPager.next} busy={actions.isPlaceholderData} />
              </>
            )}
          </Loaded>
          <h2>Risks and issues</h2>
          <Loaded query={risks}>
            {(page) => (
              <>
                <DataTable caption="Risks and issues" rows={page.items} rowKey={(r) => r.id} empty="No risks or issues logged."
                  columns={[
                    ['Description', (r) => r.description],
                    ['Kind', (r) => humanise(r.kind)],
                    ['Score', (r) => `${r.score} (${r.likelihood} × ${r.impact})`],
                    ['Rating', (r) => <StatusTag value={r.rag} text={humanise(r.rag)} />],
                    ['Status', (r) => humanise(r.status)],
                  ]} />
                <Pager label="Pages of risks and issues" hasPrevious={riskPager.hasPrevious} page={riskPager.page} nextCursor={page.next_cursor}
                  onPrevious={riskPager.previous} onNext={riskPager.next} busy={risks.isPlaceholderData} />
              </>
            )}
          </Loaded>
        </>
      )}
    </Loaded>
  );
}

/** An admin puts the plan's record on legal hold (a claim, an inquiry) with the reason, or lifts the hold. */
export function LegalHold({ plan }: { plan: Schemas['PlanRead'] }) {
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  const path = { params: { path: { plan_id: plan.id } } };
  const onSuccess = (saved: Schemas['PlanRead']) => {
    clear();
    queryClient.setQueryData(planQuery(plan.id).queryKey, saved);
  };
  const hold = useMutation({
    mutationFn: async (reason: string) => unwrap(await api.POST('/api/v1/plans/{plan_id}/legal-hold', { ...path, body: { reason } })),
    onSuccess,
    onError,
  });
  const lift = useMutation({
    mutationFn: async () => unwrap(await api.DELETE('/api/v1/plans/{plan_id}/legal-hold', path)),
    onSuccess,
    onError,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    hold.mutate(String(new FormData(event.currentTarget).get('reason') ?? '').trim());
  }
  return (
    <>
      <ErrorSummaryBox problem={problem} fieldIds={{ reason: 'hold-reason' }} />
      {plan.legal_hold_at ? (
        <p className="nhsuk-body">
          <Button type="button" secondary onClick={() => lift.mutate()} disabled={lift.isPending}>Lift the legal hold</Button>
        </p>
      ) : (
        <form onSubmit={submit} className="app-filters" noValidate aria-label="Legal hold">
          <TextInput id="hold-reason" name="reason" label="Why the record is held" width={20}
            hint="For example: judicial review claim issued" error={fieldErrors(problem).reason} />
          <Button type="submit" secondary disabled={hold.isPending}>Put on legal hold</Button>
        </form>
      )}
    </>
  );
}

function NewAction({ planId }: { planId: string }) {
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  const save = useMutation({
    mutationFn: async (body: Schemas['ActionCreate']) => unwrap(await api.POST('/api/v1/plans/{plan_id}/actions', { params: { path: { plan_id: planId } }, body })),
    onSuccess: () => {
      clear();
      queryClient.invalidateQueries({ queryKey: ['actions'] });
    },
    onError,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({ description: String(form.get('description') ?? '').trim(), owner_name: String(form.get('owner_name') ?? '') || null, due_date: String(form.get('due_date') ?? '') || null });
  }
  const errors = fieldErrors(problem);
  return (
    <form onSubmit={submit} className="app-filters" noValidate aria-label="Add an action">
      <ErrorSummaryBox problem={problem} fieldIds={{ description: 'action-description' }} />
      <TextInput id="action-description" name="description" label="Action" width={30} error={errors.description} />
      <TextInput id="action-owner" name="owner_name" label="Owner" width={10} />
      <TextInput id="action-due" name="due_date" type="date" label="Due" error={errors.due_date} />
      <Button type="submit" secondary disabled={save.isPending}>Add action</Button>
    </form>
  );
}
