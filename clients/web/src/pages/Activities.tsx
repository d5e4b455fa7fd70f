import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Select, TextInput } from 'nhsuk-react-components';
import { api, unwrap, type Schemas } from '../api/client';
import { usePlanChoices } from '../api/queries';
import { useCan } from '../auth/roles';
import { ErrorSummaryBox } from '../components/ErrorSummaryBox';
import { RecordSelect, text } from '../components/fields';
import { Pager } from '../components/Pager';
import { useCursorPager } from '../components/paging';
import { fieldErrors, useProblem } from '../components/problems';
import { useTitle } from '../components/useTitle';
import { DataTable, formatDate, humanise, Loaded, StatusTag } from '../components/ui';
import { ActivityCalendar } from './ActivityCalendar';

const METHODS: Schemas['ActivityMethod'][] = [
  'focus_group', 'public_meeting', 'briefing', 'workshop', 'survey', 'one_to_one', 'staff_forum', 'newsletter_article', 'website_post',
  'intranet_qa', 'blog', 'breaking_news_email', 'citizens_jury', 'solution_circle', 'social_media_campaign', 'press_release',
  'patient_participation_group', 'other',
];
const LEVELS: Schemas['InvolvementLevel'][] = ['inform', 'consult', 'involve', 'collaborate', 'co-produce'];
const LIMBS: Schemas['DutyLimb'][] = ['planning', 'proposals', 'decision'];

export default function Activities() {
  useTitle('Activities');
  const may = useCan();
  const [params] = useSearchParams();
  const planId = params.get('plan_id') ?? undefined;
  const calendar = params.get('view') === 'calendar';
  const pager = useCursorPager(planId);
  const list = useQuery({
    enabled: !calendar,
    queryKey: ['activities', planId, pager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/activities', { params: { query: { plan_id: planId, limit: 50, cursor: pager.cursor, sort: '-starts_at' } } })),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>Activities</h1>
      <p className="nhsuk-body">The record of stakeholder engagement: what was done, when, and who came.</p>
      {may.log && <LogActivity planId={planId} />}
      <ViewSwitch calendar={calendar} />
      {calendar ? <ActivityCalendar planId={planId} /> : <Loaded query={list}>
        {(page) => (
          <>
            <DataTable
              caption="Activities"
              rows={page.items}
              rowKey={(a) => a.id}
              empty="No activities logged yet."
              columns={[
                ['Activity', (a) => <Link to={`/activities/${a.id}`} dir="auto">{a.title}</Link>],
                ['Date', (a) => formatDate(a.starts_at)],
                ['Method', (a) => humanise(a.method)],
                ['Level', (a) => humanise(a.level)],
                ['Attended', (a) => a.attended_count],
                ['Status', (a) => <StatusTag value={a.status} />],
              ]}
            />
            <Pager hasPrevious={pager.hasPrevious} page={pager.page} nextCursor={page.next_cursor} onPrevious={pager.previous} onNext={pager.next} busy={list.isPlaceholderData} />
          </>
        )}
      </Loaded>}
    </>
  );
}

/** "List | Calendar": links that keep the other query parameters (such as plan_id) in the URL. */
function ViewSwitch({ calendar }: { calendar: boolean }) {
  const [params] = useSearchParams();
  const listParams = new URLSearchParams(params);
  listParams.delete('view');
  listParams.delete('month');
  const calendarParams = new URLSearchParams(params);
  calendarParams.set('view', 'calendar');
  return (
    <nav className="app-view-switch nhsuk-body" aria-label="Activities view">
      <Link to={`?${listParams.toString()}`} aria-current={calendar ? undefined : 'page'}>List</Link>
      {' | '}
      <Link to={`?${calendarParams.toString()}`} aria-current={calendar ? 'page' : undefined}>Calendar</Link>
    </nav>
  );
}

function LogActivity({ planId }: { planId?: string }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { problem, onError } = useProblem();
  const plans = usePlanChoices(planId);
  const save = useMutation({
    mutationFn: async (body: Schemas['ActivityCreate']) => unwrap(await api.POST('/api/v1/activities', { body })),
    onSuccess: (saved) => {
      queryClient.invalidateQueries({ queryKey: ['activities'] }); // the list, the calendar, a plan's
      navigate(`/activities/${saved.id}`);
    },
    onError,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const starts = text(form, 'starts_at');
    save.mutate({
      title: String(form.get('title') ?? '').trim(),
      method: form.get('method') as Schemas['ActivityMethod'],
      level: form.get('level') as Schemas['InvolvementLevel'],
      duty_limb: (text(form, 'duty_limb') as Schemas['DutyLimb'] | null),
      plan_id: text(form, 'plan_id'),
      status: form.get('status') as Schemas['ActivityStatus'],
      starts_at: starts ? new Date(starts).toISOString() : '',
      location: text(form, 'location'),
    });
  }
  const errors = fieldErrors(problem);
  return (
    <details className="nhsuk-details" open={Boolean(problem)}>
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">Log an activity</span>
      </summary>
      <div className="nhsuk-details__text">
        <ErrorSummaryBox problem={problem} fieldIds={{ title: 'title', starts_at: 'starts_at', method: 'method' }} />
        <form onSubmit={submit} noValidate>
          <TextInput id="title" name="title" label="Title" dir="auto" error={errors.title} />
          <Select id="method" name="method" label="Method" error={errors.method}>
            {METHODS.map((m) => <option key={m} value={m}>{humanise(m)}</option>)}
          </Select>
          <Select id="level" name="level" label="Involvement level" defaultValue="involve">
            {LEVELS.map((l) => <option key={l} value={l}>{humanise(l)}</option>)}
          </Select>
          <RecordSelect id="activity-plan" name="plan_id" label="Plan" none="None" value={planId} {...plans} />
          <Select id="duty_limb" name="duty_limb" label="Duty limb it serves" defaultValue="">
            <option value="">None</option>
            {LIMBS.map((l) => <option key={l} value={l}>{humanise(l)}</option>)}
          </Select>
          <TextInput id="starts_at" name="starts_at" type="datetime-local" label="Starts" error={errors.starts_at} />
          <TextInput id="location" name="location" label="Location (optional)" />
          <Select id="activity-status" name="status" label="Status" defaultValue="done">
            <option value="planned">Planned</option>
            <option value="done">Done</option>
            <option value="cancelled">Cancelled</option>
          </Select>
          <Button type="submit" disabled={save.isPending}>Log activity</Button>
        </form>
      </div>
    </details>
  );
}
