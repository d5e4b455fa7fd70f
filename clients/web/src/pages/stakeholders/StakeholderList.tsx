import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Select, TextInput } from 'nhsuk-react-components';
import { api, unwrap, type Schemas } from '../../api/client';
import { usePlanChoices } from '../../api/queries';
import type { paths } from '../../api/schema';
import { useCan } from '../../auth/roles';
import { saveBlob } from '../../components/download';
import { ErrorSummaryBox } from '../../components/ErrorSummaryBox';
import { RecordSelect } from '../../components/fields';
import { Pager } from '../../components/Pager';
import { useCursorPager } from '../../components/paging';
import { useProblem } from '../../components/problems';
import { useTitle } from '../../components/useTitle';
import { Contact, DataTable, humanise, Loaded, StatusTag } from '../../components/ui';
import { CATEGORIES, QUADRANTS, SORTS } from './options';

const FILTERS = ['q', 'category', 'tag', 'quadrant', 'plan_id', 'champion', 'not_engaged_since', 'min_influence', 'archived', 'sort'] as const;
type Query = paths['/api/v1/stakeholders']['get']['parameters']['query'];

/** The filters in the address bar, as the API's query parameters (so a filtered view is a link). */
export function filtersFrom(params: URLSearchParams): NonNullable<Query> {
  const query: Record<string, string | number | boolean> = {};
  for (const name of FILTERS) {
    const value = params.get(name);
    if (!value) continue;
    if (name === 'champion' || name === 'archived') query[name] = value === 'true';
    else if (name === 'min_influence') {
      // A score of 1 to 5; anything else in a hand-edited or old link is dropped, not sent as NaN (a 422).
      const score = Number(value);
      if (Number.isInteger(score) && score >= 1 && score <= 5) query[name] = score;
    } else query[name] = value;
  }
  return query as NonNullable<Query>;
}

export default function StakeholderList() {
  useTitle('Stakeholders');
  const may = useCan();
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const pager = useCursorPager(filters);
  const [exporting, setExporting] = useState(false);
  const { problem, clear, onError } = useProblem();
  const plans = usePlanChoices(params.get('plan_id'));

  const list = useQuery({
    queryKey: ['stakeholders', filters, pager.cursor],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/stakeholders', { params: { query: { ...filters, limit: 50, cursor: pager.cursor, include_total: !pager.cursor } } })),
    placeholderData: keepPreviousData,
  });

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of FILTERS) {
      const value = String(form.get(name) ?? '').trim();
      if (value) next.set(name, value);
    }
    setParams(next);
  }

  async function exportCsv() {
    setExporting(true);
    try {
      const { sort: _sort, ...exportFilters } = filters;
      const result = await api.GET('/api/v1/exports/stakeholders', { params: { query: { ...exportFilters, format: 'csv' } }, parseAs: 'blob' });
      saveBlob(unwrap(result) as unknown as Blob, 'stakeholders.csv');
      clear();
    } catch (error) {
      onError(error);
    } finally {
      setExporting(false);
    }
  }

  return (
    <>
      <ErrorSummaryBox problem={problem} />
      <h1>Stakeholder register</h1>
      {may.edit && (
        <p className="nhsuk-body">
          <Link className="nhsuk-button nhsuk-u-margin-right-3" to="/stakeholders/new">
            Add a stakeholder
          </Link>
          <Link className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-right-3" to="/stakeholders/import">
            Import from CSV
          </Link>
          <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={exportCsv} disabled={exporting}>
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
        </p>
      )}
      <form onSubmit={apply} className="app-filters" role="search" aria-label="Filter stakeholders" key={params.toString()}>
        <TextInput id="q" name="q" label="Search" hint="Name, organisation or email" defaultValue={params.get('q') ?? ''} width={20} />
        <Select id="category" name="category" label="Category" defaultValue={params.get('category') ?? ''}>
          <option value="">Any</option>
          {CATEGORIES.map((c) => <option key={c} value={c}>{humanise(c)}</option>)}
        </Select>
        <TextInput id="tag" name="tag" label="Tag" defaultValue={params.get('tag') ?? ''} width={10} />
        <Select id="quadrant" name="quadrant" label="Quadrant" defaultValue={params.get('quadrant') ?? ''}>
          <option value="">Any</option>
          {QUADRANTS.map((q) => <option key={q} value={q}>{humanise(q)}</option>)}
        </Select>
        <RecordSelect id="plan_id" name="plan_id" label="Plan" none="Any" value={params.get('plan_id')} {...plans} />
        <Select id="champion" name="champion" label="Champion" defaultValue={params.get('champion') ?? ''}>
          <option value="">Any</option>
          <option value="true">Champions only</option>
          <option value="false">Not champions</option>
        </Select>
        <TextInput id="not_engaged_since" name="not_engaged_since" type="date" label="Not engaged since" defaultValue={params.get('not_engaged_since') ?? ''} />
        <Select id="archived" name="archived" label="Archived" defaultValue={params.get('archived') ?? ''}>
          <option value="">Current</option>
          <option value="true">Archived</option>
        </Select>
        <Select id="sort" name="sort" label="Sort by" defaultValue={params.get('sort') ?? ''}>
          <option value="">Name (A to Z)</option>
          {SORTS.slice(1).map(([value, text]) => <option key={value} value={value}>{text}</option>)}
        </Select>
        <input type="hidden" name="min_influence" value={params.get('min_influence') ?? ''} />
        <Button type="submit" secondary>
          Apply filters
        </Button>
      </form>
      <Loaded query={list}>
        {(page) => <Results page={page} pager={pager} busy={list.isPlaceholderData} />}
      </Loaded>
    </>
  );
}

function Results({ page, pager, busy }: { page: Schemas['StakeholderPage']; pager: ReturnType<typeof useCursorPager>; busy: boolean }) {
  return (
    <>
      <p className="nhsuk-body" role="status">
        {page.total !== undefined && page.total !== null ? `${page.total} stakeholders` : `Page ${pager.page}`}
      </p>
      <DataTable
        caption="Stakeholders"
        rows={page.items}
        rowKey={(s) => s.id}
        empty="No stakeholders match these filters."
        columns={[
          ['Name', (s) => <Link to={`/stakeholders/${s.id}`} dir="auto">{s.name}</Link>],
          ['Job title', (s) => s.job_title ?? '—'],
          ['Categories', (s) => s.categories.map(humanise).join(', ') || '—'],
          ['Email', (s) => <Contact value={s.email} />],
          ['Flags', (s) => (
            <>
              {s.is_champion && <StatusTag value="green" text="Champion" />} {s.archived_at && <StatusTag value="archived" text="Archived" />}
            </>
          )],
        ]}
      />
      <Pager hasPrevious={pager.hasPrevious} page={pager.page} nextCursor={page.next_cursor} onPrevious={pager.previous} onNext={pager.next} busy={busy} />
    </>
  );
}
