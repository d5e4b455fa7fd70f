import { Link } from 'react-router';
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, json, unwrap } from '../api/client';
import { useTitle } from '../components/useTitle';
import { DataTable, formatDate, humanise, Loaded, StatusTag } from '../components/ui';

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

function Figure({ label, value, to }: { label: string; value: string | number; to?: string }) {
  return (
    <div className="app-figure">
      <span className="app-figure__value">{value}</span>
      {to ? <Link to={to}>{label}</Link> : <span>{label}</span>}
    </div>
  );
}

/** The plans Home looks into, most recently updated first; the two plan-wide sections share this one request. */
const recentPlans = queryOptions({
  queryKey: ['plans', 'recent'],
  queryFn: async () => unwrap(await api.GET('/api/v1/plans', { params: { query: { limit: 20, sort: '-updated_at' } } })).items,
});

function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? '—' : `${Math.round(share * 100)}%`;
}

export default function Home() {
  useTitle('Home');
  const queryClient = useQueryClient();
  const report = useQuery({ queryKey: ['reports', 'engagement'], queryFn: async () => json(unwrap(await api.GET('/api/v1/reports/engagement'))) });
  const overdueFeedback = useQuery({
    queryKey: ['feedback', { overdue: true }],
    queryFn: async () => unwrap(await api.GET('/api/v1/feedback', { params: { query: { overdue: true, limit: 5, include_total: true } } })),
  });
  const since = daysAgo(90);
  const notEngaged = useQuery({
    queryKey: ['stakeholders', { min_influence: 3, not_engaged_since: since }],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/stakeholders', { params: { query: { min_influence: 3, not_engaged_since: since, limit: 5, include_total: true } } })),
  });
  // Actions belong to plans: the overdue ones of the current plans. One request per plan (N+1 from the
  // browser): the API has no tenant-wide list of overdue actions.
  const overdueActions = useQuery({
    queryKey: ['actions', 'overdue'],
    queryFn: async () => {
      const plans = await queryClient.fetchQuery(recentPlans);
      const pages = await Promise.all(
        plans.map(async (plan) => {
          const page = unwrap(await api.GET('/api/v1/plans/{plan_id}/actions', { params: { path: { plan_id: plan.id }, query: { overdue: true, limit: 10 } } }));
          return page.items.map((action) => ({ ...action, planTitle: plan.title }));
        }),
      );
      return pages.flat();
    },
  });

  // Red items of the duty reports of the first ten plans: one report per plan (N+1 from the browser, bounded
  // at ten); GET /reports/duty names the plans with red items but not the items.
  const redItems = useQuery({
    queryKey: ['duty-report', 'red'],
    queryFn: async () => {
      const plans = (await queryClient.fetchQuery(recentPlans)).slice(0, 10);
      const reports = await Promise.all(
        plans.map(async (plan) => unwrap(await api.GET('/api/v1/plans/{plan_id}/duty-report', { params: { path: { plan_id: plan.id } } }))),
      );
      return reports.flatMap((r) => r.items.filter((i) => i.status === 'red').map((i) => ({ ...i, planId: r.plan_id, planTitle: r.plan_title })));
    },
  });

  return (
    <>
      <h1>Home</h1>
      <h2>Engagement this period</h2>
      <Loaded query={report}>
        {(r) => (
          <>
            <p className="nhsuk-body">
              {formatDate(r.period_from)} to {formatDate(r.period_to)}
            </p>
            <div className="app-figures">
              <Figure label="Stakeholders" value={r.stakeholders.stakeholders} to="/stakeholders" />
              <Figure label="Engaged" value={`${r.stakeholders.engaged} (${percent(r.stakeholders.share)})`} />
              <Figure label="Activities done" value={r.activities.done} to="/activities" />
              <Figure label="People reached" value={r.reach.attended} />
              <Figure label="Feedback received" value={r.feedback.received} to="/feedback" />
              <Figure label="Feedback overdue" value={r.feedback.overdue} to="/feedback?overdue=true" />
            </div>
            <DataTable
              caption="Engaged share per quadrant"
              rows={r.quadrants}
              rowKey={(q) => q.key}
              columns={[
                ['Quadrant', (q) => humanise(q.key)],
                ['Stakeholders', (q) => q.stakeholders],
                ['Engaged', (q) => q.engaged],
                ['Share', (q) => percent(q.share)],
              ]}
            />
          </>
        )}
      </Loaded>
      <h2>Overdue feedback</h2>
      <Loaded query={overdueFeedback}>
        {(page) => (
          <DataTable
            caption="Overdue feedback"
            rows={page.items}
            rowKey={(f) => f.id}
            empty="No feedback is overdue."
            columns={[
              ['Feedback', (f) => <Link to={`/feedback/${f.id}`}>{f.text.slice(0, 80)}</Link>],
              ['Due', (f) => formatDate(f.response_due_at)],
              ['Status', (f) => <StatusTag value={f.status} />],
            ]}
          />
        )}
      </Loaded>
      <h2>High-influence stakeholders not engaged in 90 days</h2>
      <Loaded query={notEngaged}>
        {(page) => (
          <>
            <DataTable
              caption="High-influence stakeholders not engaged in 90 days"
              rows={page.items}
              rowKey={(s) => s.id}
              empty="Every high-influence stakeholder was engaged in the last 90 days."
              columns={[['Name', (s) => <Link to={`/stakeholders/${s.id}`} dir="auto">{s.name}</Link>], ['Categories', (s) => s.categories.map(humanise).join(', ')]]}
            />
            {(page.total ?? 0) > page.items.length && (
              <p className="nhsuk-body">
                <Link to={`/stakeholders?min_influence=3&not_engaged_since=${since}`}>All {page.total}</Link>
              </p>
            )}
          </>
        )}
      </Loaded>
      <h2>Overdue actions</h2>
      <Loaded query={overdueActions}>
        {(actions) => (
          <DataTable
            caption="Overdue actions"
            rows={actions}
            rowKey={(a) => a.id}
            empty="No action is overdue."
            columns={[
              ['Action', (a) => <Link to={`/plans/${a.plan_id}`}>{a.description}</Link>],
              ['Plan', (a) => a.planTitle],
              ['Due', (a) => formatDate(a.due_date)],
              ['Status', (a) => <StatusTag value="overdue" text={`Overdue (${humanise(a.status)})`} />],
            ]}
          />
        )}
      </Loaded>
      <h2>Red items from duty reports</h2>
      <Loaded query={redItems}>
        {(items) => (
          <DataTable
            caption="Red items from duty reports"
            rows={items}
            rowKey={(i) => `${i.planId}/${i.duty_code ?? ''}/${i.code}`}
            empty="No duty report has a red item."
            columns={[
              ['Plan', (i) => <Link to={`/plans/${i.planId}/duty`}>{i.planTitle}</Link>],
              ['Requirement', (i) => i.title],
              ['Status', () => <StatusTag value="red" />],
              ['Reason', (i) => i.reason],
            ]}
          />
        )}
      </Loaded>
    </>
  );
}
