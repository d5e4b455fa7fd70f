import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Select, TextInput } from 'nhsuk-react-components';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { useCan } from '../auth/roles';
import { ErrorSummaryBox } from '../components/ErrorSummaryBox';
import { problemOf, useProblem } from '../components/problems';
import { useTitle } from '../components/useTitle';
import { BackTo, DataTable, formatDate, humanise, Loaded, pounds, StatusTag, Summary } from '../components/ui';

export default function ActivityPage() {
  const { id = '' } = useParams();
  const may = useCan();
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  const activity = useQuery({ queryKey: ['activity', id], queryFn: async () => unwrap(await api.GET('/api/v1/activities/{activity_id}', { params: { path: { activity_id: id } } })) });
  // Not its title: the API holds it as personal data ("Home visit to …"), and the tab title goes into the browser's history.
  useTitle('Activity');
  const attendance = useQuery({
    queryKey: ['attendance', id],
    queryFn: async () => unwrap(await api.GET('/api/v1/activities/{activity_id}/attendance', { params: { path: { activity_id: id } } })),
  });
  // If-Match: the activity's version the log on screen was read at (the log carries it, and each save's answer the
  // next), so a change someone else made since is refused (412), shown, and read again rather than overwritten.
  const record = useMutation({
    mutationFn: async (body: Schemas['AttendanceRecord']) =>
      unwrap(await api.POST('/api/v1/activities/{activity_id}/attendance', { params: { path: { activity_id: id }, header: ifMatch(attendance.data) }, body })),
    onSuccess: (log) => {
      clear();
      queryClient.setQueryData(['attendance', id], log);
      queryClient.invalidateQueries({ queryKey: ['activity', id] });
      queryClient.invalidateQueries({ queryKey: ['activities'] });
    },
    onError: (error) => {
      onError(error);
      if (problemOf(error)?.status === 412) {
        queryClient.invalidateQueries({ queryKey: ['attendance', id] });
        queryClient.invalidateQueries({ queryKey: ['activity', id] });
      }
    },
  });
  const logger = may.log;

  return (
    <Loaded query={activity}>
      {(a) => (
        <>
          <BackTo to="/activities">Activities</BackTo>
          <ErrorSummaryBox problem={problem} />
          <h1 dir="auto">{a.title}</h1>
          <Summary
            rows={[
              ['Status', <StatusTag value={a.status} />],
              ['Date', formatDate(a.starts_at)],
              ['Method', humanise(a.method)],
              ['Involvement level', humanise(a.level)],
              ['Duty limb', humanise(a.duty_limb)],
              ['Plan', a.plan_id ? <Link to={`/plans/${a.plan_id}`}>Open the plan</Link> : '—'],
              ['Location', a.location],
              ['Cost', pounds(a.cost_pence)],
              ['Outcome', a.outcome_summary],
            ]}
          />
          {logger && (
            <p className="nhsuk-body">
              <Link to={`/feedback?activity_id=${a.id}${a.plan_id ? `&plan_id=${a.plan_id}` : ''}`}>Record feedback from this activity</Link>
            </p>
          )}
          <h2>Attendance</h2>
          <Loaded query={attendance}>
            {(log) => (
              <>
                <p className="nhsuk-body" role="status">
                  {log.invited_count} invited, {log.attended_count} attended (including {log.unnamed_attendees} not named).
                </p>
                <DataTable
                  caption="Attendance"
                  rows={log.items}
                  rowKey={(r) => r.stakeholder_id}
                  empty="Nobody recorded yet."
                  columns={[
                    // A withheld person (restricted processing) has no page this reader may open: no link, and words
                    // in place of the mask, for a screen reader as for the eye.
                    ['Stakeholder', (r) => (r.stakeholder_withheld
                      ? <>Withheld <span className="nhsuk-u-visually-hidden">(processing restricted)</span></>
                      : <Link to={`/stakeholders/${r.stakeholder_id}`}>{r.stakeholder_name}</Link>)],
                    ['Invited', (r) => (r.invited ? 'Yes' : 'No')],
                    ['Attended', (r) => (r.attended ? 'Yes' : 'No')],
                    ...(logger
                      ? ([[
                          'Change',
                          (r: Schemas['AttendanceRow']) => (
                            <button type="button" className="app-link-button" disabled={record.isPending}
                              onClick={() => record.mutate({ entries: [{ stakeholder_id: r.stakeholder_id, attended: !r.attended }] })}>
                              {r.attended ? 'Mark as absent' : 'Mark as attended'}
                              <span className="nhsuk-u-visually-hidden"> ({r.stakeholder_withheld ? 'withheld person' : r.stakeholder_name})</span>
                            </button>
                          ),
                        ]] as [string, (r: Schemas['AttendanceRow']) => React.ReactNode][])
                      : []),
                  ]}
                />
                {logger && <AddAttendee busy={record.isPending} unnamed={log.unnamed_attendees} onRecord={(body) => record.mutate(body)} />}
              </>
            )}
          </Loaded>
        </>
      )}
    </Loaded>
  );
}

export function AddAttendee({ busy, unnamed, onRecord }: { busy: boolean; unnamed: number; onRecord: (body: Schemas['AttendanceRecord']) => void }) {
  const [q, setQ] = useState('');
  const [headcountError, setHeadcountError] = useState<string | undefined>();
  const found = useQuery({
    queryKey: ['stakeholders', { q, limit: 20 }],
    queryFn: async () => unwrap(await api.GET('/api/v1/stakeholders', { params: { query: { q, limit: 20 } } })),
    enabled: q.length > 0,
  });
  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setQ(String(new FormData(event.currentTarget).get('attendee-q') ?? '').trim());
  }
  function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const status = form.get('attendance');
    onRecord({ entries: [{ stakeholder_id: String(form.get('attendee')), invited: status !== 'walk_in', attended: status !== 'invited' }] });
  }
  function headcount(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // Number('') is 0: a cleared box would wipe the recorded headcount. The API stores a number (null in a request
    // means "leave it"), so a blank is refused here rather than sent as 0 or silently ignored.
    const value = String(new FormData(event.currentTarget).get('unnamed') ?? '').trim();
    if (value === '') {
      setHeadcountError('Enter how many people attended without being named, or 0 if none');
      return;
    }
    setHeadcountError(undefined);
    onRecord({ entries: [], unnamed_attendees: Number(value) });
  }
  return (
    <>
      <h3>Add someone</h3>
      <form onSubmit={search} className="app-filters" role="search" aria-label="Stakeholder search">
        <TextInput id="attendee-q" name="attendee-q" label="Find a stakeholder" width={20} />
        <Button type="submit" secondary>Find</Button>
      </form>
      {found.data && (
        found.data.items.length === 0 ? <p className="nhsuk-body">No stakeholder matches “{q}”.</p> : (
          <form onSubmit={add} className="app-filters" aria-label="Record attendance">
            <Select id="attendee" name="attendee" label="Stakeholder">
              {found.data.items.map((s) => <option key={s.id} value={s.id} dir="auto">{s.name}</option>)}
            </Select>
            <Select id="attendance" name="attendance" label="Record as" defaultValue="attended">
              <option value="attended">Invited and attended</option>
              <option value="invited">Invited, did not attend</option>
              <option value="walk_in">Attended without an invitation</option>
            </Select>
            <Button type="submit" disabled={busy}>Record</Button>
          </form>
        )
      )}
      <form onSubmit={headcount} className="app-filters" aria-label="Unnamed attendees">
        <TextInput id="unnamed" name="unnamed" type="number" min={0} label="People who attended but are not named" defaultValue={unnamed} width={4} error={headcountError} />
        <Button type="submit" secondary disabled={busy}>Save headcount</Button>
      </form>
    </>
  );
}
