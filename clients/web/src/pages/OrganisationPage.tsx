import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { organisationQuery } from '../api/queries';
import { Pager } from '../components/Pager';
import { keepPagesOf, useCursorPager } from '../components/paging';
import { useTitle } from '../components/useTitle';
import { BackTo, Contact, DataTable, humanise, Loaded, Summary } from '../components/ui';

export default function OrganisationPage() {
  const { id = '' } = useParams();
  const organisation = useQuery(organisationQuery(id));
  useTitle(organisation.data?.name ?? 'Organisation');
  // A page at a time: one read of 200 left a large network's other members neither shown nor said to exist.
  const pager = useCursorPager(id);
  const members = useQuery({
    queryKey: ['stakeholders', { organisation_id: id }, pager.cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/stakeholders', { params: { query: { organisation_id: id, limit: 200, cursor: pager.cursor } } })),
    placeholderData: keepPagesOf(['stakeholders', { organisation_id: id }]),
  });
  return (
    <Loaded query={organisation}>
      {(o) => (
        <>
          <BackTo to="/organisations">Organisations</BackTo>
          <h1 dir="auto">{o.name}</h1>
          <Summary
            rows={[
              ['Kind', humanise(o.kind)],
              ['Email', <Contact value={o.email} />],
              ['Phone', <Contact value={o.phone} />],
              ['Website', o.website],
              // Masked for a viewer as a stakeholder's are (they can be a person's): "Hidden", not "***, ***".
              ['Address', o.contact_details_masked ? <Contact value={o.address ?? o.postcode} /> : [o.address, o.postcode].filter(Boolean).join(', ')],
              ['Tags', o.tags.join(', ')],
            ]}
          />
          <h2>Members</h2>
          <Loaded query={members}>
            {(page) => (
              <>
                <DataTable
                  caption="Members"
                  rows={page.items}
                  rowKey={(s) => s.id}
                  empty="No stakeholders belong to this organisation."
                  columns={[
                    ['Name', (s) => <Link to={`/stakeholders/${s.id}`} dir="auto">{s.name}</Link>],
                    ['Job title', (s) => s.job_title ?? '—'],
                    ['Categories', (s) => s.categories.map(humanise).join(', ') || '—'],
                  ]}
                />
                <Pager hasPrevious={pager.hasPrevious} page={pager.page} nextCursor={page.next_cursor} onPrevious={pager.previous} onNext={pager.next} busy={members.isPlaceholderData} />
              </>
            )}
          </Loaded>
        </>
      )}
    </Loaded>
  );
}
