import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, TextInput } from 'nhsuk-react-components';
import { api, unwrap } from '../api/client';
import { useCan } from '../auth/roles';
import { ErrorSummaryBox } from '../components/ErrorSummaryBox';
import { Pager } from '../components/Pager';
import { useCursorPager } from '../components/paging';
import { fieldErrors, useProblem } from '../components/problems';
import { useTitle } from '../components/useTitle';
import { DataTable, formatDate, humanise, Loaded, StatusTag } from '../components/ui';

export default function Plans() {
  useTitle('Plans');
  const may = useCan();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { problem, onError } = useProblem();
  // A page at a time: one read of 100 left a tenant's older plans unreachable.
  const pager = useCursorPager();
  const plans = useQuery({
    queryKey: ['plans', 'list', pager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/plans', { params: { query: { limit: 100, cursor: pager.cursor, sort: '-updated_at' } } })),
    placeholderData: keepPreviousData,
  });
  const create = useMutation({
    mutationFn: async (title: string) => unwrap(await api.POST('/api/v1/plans', { body: { title } })),
    onSuccess: (plan) => {
      // Every list of plans (this one, the selects' choices, Home's recent ones) now has one more.
      queryClient.invalidateQueries({ queryKey: ['plans'] });
      navigate(`/plans/${plan.id}`);
    },
    onError,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate(String(new FormData(event.currentTarget).get('title') ?? '').trim());
  }
  return (
    <>
      <h1>Communication and engagement plans</h1>
      {may.edit && (
        <form onSubmit={submit} className="app-filters" noValidate aria-label="Start a plan">
          <ErrorSummaryBox problem={problem} fieldIds={{ title: 'plan-title' }} />
          <TextInput id="plan-title" name="title" label="New plan title" width={30} error={fieldErrors(problem).title} />
          <Button type="submit" disabled={create.isPending}>Start a plan</Button>
        </form>
      )}
      <Loaded query={plans}>
        {(page) => (
          <>
            <DataTable
              caption="Plans"
              rows={page.items}
              rowKey={(p) => p.id}
              empty="No plans yet."
              columns={[
                ['Title', (p) => <Link to={`/plans/${p.id}`} dir="auto">{p.title}</Link>],
                ['Stage', (p) => humanise(p.stage)],
                ['Status', (p) => <StatusTag value={p.status} />],
                ['Dates', (p) => `${formatDate(p.start_date)} to ${formatDate(p.end_date)}`],
              ]}
            />
            <Pager hasPrevious={pager.hasPrevious} page={pager.page} nextCursor={page.next_cursor} onPrevious={pager.previous} onNext={pager.next} busy={plans.isPlaceholderData} />
          </>
        )}
      </Loaded>
    </>
  );
}
