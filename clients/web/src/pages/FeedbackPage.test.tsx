import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { api, type Schemas } from '../api/client';
import type { Me } from '../auth/session';
import { renderPage } from '../test/renderPage';
import FeedbackPage from './FeedbackPage';

const feedback = {
  id: 'f1', external_id: null, received_at: '2026-11-02T10:00:00Z', channel: 'email', type: 'comment',
  text: 'The bus stops too far away', stakeholder_id: null, stakeholder_withheld: false, activity_id: null, plan_id: null, themes: [],
  status: 'received', publishable_summary: null, publishable: false, response_due_at: '2026-11-30T10:00:00Z',
  overdue: false, acknowledged_at: null, considered_at: null, responded_at: null, closed_at: null, response_text: null,
  outcome: null, action_taken: null, reason_no_change: null, responded_by: null, told_how: null, told_at: null,
  archived_at: null, created_at: '2026-11-02T10:00:00Z', updated_at: '2026-11-02T10:00:00Z', created_by: null,
  updated_by: null, version: 1,
} as unknown as Schemas['FeedbackRead'];

function renderAs(role: Me['role'], item: Schemas['FeedbackRead']) {
  renderPage(<FeedbackPage />, { path: '/feedback/:id', url: `/feedback/${item.id}`, role, cache: [[['feedback-item', item.id], item]] });
}

describe('FeedbackPage "From"', () => {
  it('says a restricted person’s link is withheld, not that the feedback is anonymous', () => {
    renderAs('lead', { ...feedback, stakeholder_withheld: true });
    expect(screen.getByText('Withheld: the person’s processing is restricted')).toBeInTheDocument();
    expect(screen.queryByText('Anonymous')).not.toBeInTheDocument();
  });

  it('calls feedback with no stakeholder anonymous, whatever the role', () => {
    renderAs('lead', feedback);
    expect(screen.getByText('Anonymous')).toBeInTheDocument();
  });

  it('links a linked stakeholder', () => {
    renderAs('viewer', { ...feedback, stakeholder_id: 's1' });
    expect(screen.getByRole('link', { name: 'The stakeholder' })).toHaveAttribute('href', '/stakeholders/s1');
  });
});

describe('FeedbackPage right-to-left text', () => {
  it('lets the browser set the direction of what was said (dir="auto")', () => {
    renderAs('viewer', { ...feedback, text: 'الحافلة بعيدة جدا' });
    expect(screen.getByText('الحافلة بعيدة جدا')).toHaveAttribute('dir', 'auto');
  });
});

describe('FeedbackPage response', () => {
  afterEach(() => vi.restoreAllMocks());

  it('answers with If-Match of the version the form was filled from, not one a background refetch brought', async () => {
    const post = vi.spyOn(api, 'POST').mockResolvedValue({ data: { ...feedback, version: 3, responded_at: '2026-11-03T10:00:00Z' }, response: new Response() } as never);
    const queryClient = renderPage(<FeedbackPage />, { path: '/feedback/:id', url: '/feedback/f1', role: 'contributor', cache: [[['feedback-item', 'f1'], feedback]] });
    fireEvent.change(screen.getByLabelText('We did'), { target: { value: 'We moved the bus stop' } });
    // Someone else answered meanwhile; the page refetches on focus and shows theirs.
    act(() => { queryClient.setQueryData(['feedback-item', 'f1'], { ...feedback, version: 2, response_text: 'Their answer', responded_at: '2026-11-03T09:00:00Z' }); });
    await screen.findAllByText('Their answer');
    expect(screen.getByLabelText('We did')).toHaveValue('We moved the bus stop');
    fireEvent.click(screen.getByRole('button', { name: 'Save response' }));
    await waitFor(() => expect(post).toHaveBeenCalledTimes(1));
    expect((post.mock.calls[0]?.[1] as unknown as { params: { header: Record<string, string> } }).params.header).toEqual({ 'If-Match': '"1"' });
    // Its own save moves it on: the next one is made from the version saved.
    fireEvent.click(await screen.findByRole('button', { name: 'Save response' }));
    await waitFor(() => expect(post).toHaveBeenCalledTimes(2));
    expect((post.mock.calls[1]?.[1] as unknown as { params: { header: Record<string, string> } }).params.header).toEqual({ 'If-Match': '"3"' });
  });
});
