import { fireEvent, screen } from '@testing-library/react';
import { api, type Schemas } from '../api/client';
import { renderPage } from '../test/renderPage';
import OrganisationPage from './OrganisationPage';

const pcn = { id: 'o1', name: 'Big PCN', kind: 'primary_care_network', email: null, phone: null, website: null, address: null, postcode: null,
  tags: [], contact_details_masked: false } as unknown as Schemas['OrganisationRead'];
const member = (id: string, name: string) => ({ id, name, job_title: null, categories: [] });

afterEach(() => vi.restoreAllMocks());

describe('OrganisationPage members', () => {
  it('pages through members beyond the first page rather than dropping them silently', async () => {
    const get = vi.spyOn(api, 'GET').mockResolvedValue({ data: { items: [member('s2', 'Bea')], next_cursor: null }, response: new Response() } as never);
    renderPage(<OrganisationPage />, {
      path: '/organisations/:id', url: '/organisations/o1', role: 'lead',
      cache: [[['organisation', 'o1'], pcn], [['stakeholders', { organisation_id: 'o1' }, undefined], { items: [member('s1', 'Ann')], next_cursor: 'more', total: null }]],
    });
    await screen.findByText('Ann');
    fireEvent.click(screen.getByRole('button', { name: /Next/ }));
    await screen.findByText('Bea');
    expect(get).toHaveBeenCalledWith('/api/v1/stakeholders', { params: { query: { organisation_id: 'o1', limit: 200, cursor: 'more' } } });
    expect(screen.getByRole('button', { name: /Previous/ })).toBeInTheDocument();
  });
});
