import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { fireEvent, waitFor } from '@testing-library/react';
import { api } from '../api/client';
import type { Me } from '../auth/session';
import { renderPage } from '../test/renderPage';
import FeedbackInbox, { RecordFeedback } from './FeedbackInbox';

const empty = { items: [], next_cursor: null, total: 0 };
function renderInbox(role: Me['role']) {
  return renderPage(<FeedbackInbox />, { path: '/feedback', url: '/feedback', role, cache: [[['plans', 'options'], empty], [['feedback', {}, undefined], empty]] });
}

describe('RecordFeedback "From"', () => {
  it('offers the stakeholders a search finds, as stakeholder_id, anonymous by default', async () => {
    // The search's answer is already in the cache: the form is tested on what the API answered, without a server.
    const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
    queryClient.setQueryData(['plans', 'options'], { items: [], next_cursor: null, total: 0 });
    queryClient.setQueryData(['stakeholders', { q: 'Amira', limit: 20 }], { items: [{ id: 's1', name: 'Amira Haddad' }], next_cursor: null, total: 1 });
    const router = createMemoryRouter([{ path: '/feedback', element: <RecordFeedback activityId={null} planId={null} mayPublish /> }], { initialEntries: ['/feedback'] });
    render(
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>,
    );
    const from = screen.getByLabelText('From') as HTMLSelectElement;
    expect(from).toHaveAttribute('name', 'stakeholder_id');
    expect(from.value).toBe('');
    await userEvent.type(screen.getByLabelText('Find who it is from (optional)'), 'Amira');
    await userEvent.click(screen.getByRole('button', { name: 'Find' }));
    await userEvent.selectOptions(screen.getByLabelText('From'), 'Amira Haddad');
    expect((screen.getByLabelText('From') as HTMLSelectElement).value).toBe('s1');
  });
});

describe('RecordFeedback "May be published"', () => {
  it('is offered to a lead', () => {
    renderInbox('lead');
    expect(screen.getByLabelText('May be published')).toBeInTheDocument();
  });

  it('is not offered to a contributor, whom the API refuses it (403)', () => {
    renderInbox('contributor');
    expect(screen.getByLabelText('What they said')).toBeInTheDocument();
    expect(screen.queryByLabelText('May be published')).not.toBeInTheDocument();
  });
});

describe('RecordFeedback saved', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads the lists of feedback again, which now hold it', async () => {
    vi.spyOn(api, 'POST').mockResolvedValue({ data: { id: 'f9' }, response: new Response() } as never);
    const get = vi.spyOn(api, 'GET').mockResolvedValue({ data: empty, response: new Response() } as never);
    renderInbox('contributor');
    fireEvent.change(screen.getByLabelText('What they said'), { target: { value: 'More buses please' } });
    fireEvent.click(screen.getByRole('button', { name: 'Record feedback' }));
    await screen.findByText('Another page');
    await waitFor(() => expect(get.mock.calls.map((call) => call[0])).toContain('/api/v1/feedback'));
  });
});
