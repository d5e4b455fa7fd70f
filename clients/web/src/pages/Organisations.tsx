import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Select, TextInput } from 'nhsuk-react-components';
import { api, unwrap, type Schemas } from '../api/client';
import { useCan } from '../auth/roles';
import { ErrorSummaryBox } from '../components/ErrorSummaryBox';
import { Pager } from '../components/Pager';
import { useCursorPager } from '../components/paging';
import { fieldErrors, useProblem } from '../components/problems';
import { useTitle } from '../components/useTitle';
import { Contact, DataTable, humanise, Loaded } from '../components/ui';

const ORG_KINDS: Schemas['OrganisationKind'][] = [
  'gp_practice', 'primary_care_network', 'nhs_trust', 'integrated_care_board', 'health_board', 'local_authority', 'healthwatch',
  'llais', 'voluntary_group', 'community_group', 'patient_group', 'mp_office', 'elected_member', 'media', 'education',
  'professional_body', 'regulator', 'business', 'other',
];

export default function Organisations() {
  useTitle('Organisations');
  const may = useCan();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const pager = useCursorPager(q);
  const list = useQuery({
    queryKey: ['organisations', q, pager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/organisations', { params: { query: { q: q || undefined, limit: 50, cursor: pager.cursor, sort: 'name' } } })),
    placeholderData: keepPreviousData,
  });
  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('q') ?? '').trim();
    setParams(value ? { q: value } : {});
  }
  return (
    <>
      <h1>Organisations</h1>
      {may.edit && <NewOrganisation />}
      <form onSubmit={search} className="app-filters" role="search" aria-label="Search organisations">
        <TextInput id="org-q" name="q" label="Search" defaultValue={q} width={20} />
        <Button type="submit" secondary>Search</Button>
      </form>
      <Loaded query={list}>
        {(page) => (
          <>
            <DataTable
              caption="Organisations"
              rows={page.items}
              rowKey={(o) => o.id}
              empty="No organisations found."
              columns={[
                ['Name', (o) => <Link to={`/organisations/${o.id}`} dir="auto">{o.name}</Link>],
                ['Kind', (o) => humanise(o.kind)],
                ['Postcode', (o) => <Contact value={o.postcode} />],
              ]}
            />
            <Pager hasPrevious={pager.hasPrevious} page={pager.page} nextCursor={page.next_cursor} onPrevious={pager.previous} onNext={pager.next} busy={list.isPlaceholderData} />
          </>
        )}
      </Loaded>
    </>
  );
}

function NewOrganisation() {
  const queryClient = useQueryClient();
  const { problem, clear, onError } = useProblem();
  const save = useMutation({
    mutationFn: async (body: Schemas['OrganisationCreate']) => unwrap(await api.POST('/api/v1/organisations', { body })),
    onSuccess: () => {
      clear();
      queryClient.invalidateQueries({ queryKey: ['organisations'] });
    },
    onError,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    // Emptied once saved: a refused name stays in the field beside its error.
    save.mutate(
      { name: String(form.get('name') ?? '').trim(), kind: (form.get('kind') || undefined) as Schemas['OrganisationKind'] | undefined },
      { onSuccess: () => element.reset() },
    );
  }
  const errors = fieldErrors(problem);
  return (
    <details className="nhsuk-details">
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">Add an organisation</span>
      </summary>
      <div className="nhsuk-details__text">
        <ErrorSummaryBox problem={problem} fieldIds={{ name: 'org-name' }} />
        <form onSubmit={submit} noValidate>
          <TextInput id="org-name" name="name" label="Name" error={errors.name} />
          <Select id="org-kind" name="kind" label="Kind" defaultValue="other">
            {ORG_KINDS.map((k) => <option key={k} value={k}>{humanise(k)}</option>)}
          </Select>
          <Button type="submit" disabled={save.isPending}>Add organisation</Button>
        </form>
      </div>
    </details>
  );
}
