import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Select, Textarea, TextInput } from 'nhsuk-react-components';
import { api, unwrap, type Schemas } from '../api/client';
import { usePlanChoices } from '../api/queries';
import { useCan } from '../auth/roles';
import { ErrorSummaryBox } from '../components/ErrorSummaryBox';
import { csvList, Flag, RecordSelect, text } from '../components/fields';
import { Pager } from '../components/Pager';
import { useCursorPager } from '../components/paging';
import { fieldErrors, useProblem } from '../components/problems';
import { useTitle } from '../components/useTitle';
import { DataTable, formatDate, humanise, Loaded, StatusTag } from '../components/ui';
import { FEEDBACK_CHANNELS, FEEDBACK_TYPES, filteredInbox, STATUSES } from './feedbackOptions';

export default function FeedbackInbox() {
  useTitle('Feedback');
  const may = useCan();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') || undefined) as Schemas['FeedbackStatus'] | undefined;
  const overdue = params.get('overdue') === 'true' ? true : undefined;
  const pager = useCursorPager({ status, overdue });
  const list = useQuery({
    queryKey: ['feedback', { status, overdue }, pager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/feedback', { params: { query: { status, overdue, limit: 50, cursor: pager.cursor, sort: '-received_at' } } })),
    placeholderData: keepPreviousData,
  });
  function filter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setParams(filteredInbox(new FormData(event.currentTarget), params));
  }
  return (
    <>
      <h1>Feedback inbox</h1>
      {may.log && <RecordFeedback activityId={params.get('activity_id')} planId={params.get('plan_id')} mayPublish={may.edit} />}
      <form onSubmit={filter} className="app-filters" aria-label="Filter feedback" key={params.toString()}>
        <Select id="status" name="status" label="Status" defaultValue={status ?? ''}>
          <option value="">Any</option>
          {STATUSES.map((s) => <option key={s} value={s}>{humanise(s)}</option>)}
        </Select>
        <Select id="overdue" name="overdue" label="Response due" defaultValue={overdue ? 'true' : ''}>
          <option value="">Any</option>
          <option value="true">Overdue only</option>
        </Select>
        <Button type="submit" secondary>Apply filters</Button>
      </form>
      <Loaded query={list}>
        {(page) => (
          <>
            <DataTable
              caption="Feedback"
              rows={page.items}
              rowKey={(f) => f.id}
              empty="No feedback matches."
              columns={[
                ['They said', (f) => <Link to={`/feedback/${f.id}`} dir="auto">{f.text.length > 80 ? `${f.text.slice(0, 80)}…` : f.text}</Link>],
                ['Type', (f) => humanise(f.type)],
                ['Received', (f) => formatDate(f.received_at)],
                ['Due', (f) => formatDate(f.response_due_at)],
                ['Status', (f) => (
                  <>
                    <StatusTag value={f.status} /> {f.overdue && <StatusTag value="overdue" text="Overdue" />}
                  </>
                )],
              ]}
            />
            <Pager hasPrevious={pager.hasPrevious} page={pager.page} nextCursor={page.next_cursor} onPrevious={pager.previous} onNext={pager.next} busy={list.isPlaceholderData} />
          </>
        )}
      </Loaded>
    </>
  );
}

/** Record feedback; only a lead or an admin may mark it publishable (`mayPublish`: the API refuses others, 403). */
export function RecordFeedback({ activityId, planId, mayPublish }: { activityId: string | null; planId: string | null; mayPublish: boolean }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { problem, onError } = useProblem();
  const plans = usePlanChoices(planId);
  // The register can be large: the select offers the stakeholders a search finds (the API's search, 20 of them).
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const found = useQuery({
    queryKey: ['stakeholders', { q, limit: 20 }],
    queryFn: async () => unwrap(await api.GET('/api/v1/stakeholders', { params: { query: { q, limit: 20 } } })),
    enabled: q.length > 0,
  });
  const save = useMutation({
    mutationFn: async (body: Schemas['FeedbackCreate']) => unwrap(await api.POST('/api/v1/feedback', { body })),
    onSuccess: (saved) => {
      queryClient.invalidateQueries({ queryKey: ['feedback'] }); // the inbox, Home's overdue, a plan's, a stakeholder's
      navigate(`/feedback/${saved.id}`);
    },
    onError,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({
      text: String(form.get('text') ?? '').trim(),
      type: form.get('type') as Schemas['FeedbackType'],
      channel: form.get('channel') as Schemas['FeedbackChannel'],
      plan_id: text(form, 'plan_id'),
      stakeholder_id: text(form, 'stakeholder_id'),
      activity_id: activityId,
      themes: csvList(form, 'themes'),
      publishable: form.get('publishable') === 'true',
      publishable_summary: text(form, 'publishable_summary'),
    });
  }
  const errors = fieldErrors(problem);
  return (
    <details className="nhsuk-details" open={Boolean(activityId) || Boolean(problem)}>
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">Record feedback</span>
      </summary>
      <div className="nhsuk-details__text">
        <ErrorSummaryBox problem={problem} fieldIds={{ text: 'text' }} />
        <form onSubmit={submit} noValidate>
          <Textarea id="text" name="text" label="What they said" rows={4} dir="auto" error={errors.text} />
          <Select id="type" name="type" label="Type" defaultValue="comment">
            {FEEDBACK_TYPES.map((t) => <option key={t} value={t}>{humanise(t)}</option>)}
          </Select>
          <Select id="channel" name="channel" label="Received by" defaultValue={activityId ? 'event' : 'email'}>
            {FEEDBACK_CHANNELS.map((c) => <option key={c} value={c}>{humanise(c)}</option>)}
          </Select>
          <div className="app-filters">
            <TextInput id="feedback-stakeholder-q" label="Find who it is from (optional)" width={20} value={search}
              onChange={(e) => setSearch(e.currentTarget.value)} dir="auto"
              onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); setQ(search.trim()); } }} />
            <Button type="button" secondary onClick={() => setQ(search.trim())}>Find</Button>
          </div>
          {found.data?.items.length === 0 && <p className="nhsuk-body">No stakeholder matches “<bdi>{q}</bdi>”.</p>}
          <RecordSelect id="feedback-stakeholder" name="stakeholder_id" label="From" none="Anonymous (no stakeholder)" value={null}
            choices={found.data?.items.map((s) => ({ id: s.id, text: s.name }))} />
          <RecordSelect id="feedback-plan" name="plan_id" label="Plan" none="None" value={planId} {...plans} />
          <TextInput id="themes" name="themes" label="Themes (optional)" hint="Separate themes with commas" error={errors.themes} />
          <Textarea id="publishable_summary" name="publishable_summary" label="Summary to publish (optional)" hint="No personal details: this appears in “you said, we did”" rows={2} error={errors.publishable_summary} />
          {mayPublish && <Flag name="publishable" label="May be published" checked={false} />}
          <Button type="submit" disabled={save.isPending}>Record feedback</Button>
        </form>
      </div>
    </details>
  );
}
