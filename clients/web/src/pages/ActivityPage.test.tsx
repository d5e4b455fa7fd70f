import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, waitFor } from '@testing-library/react';
import { api, type Schemas } from '../api/client';
import { renderPage } from '../test/renderPage';
import ActivityPage, { AddAttendee } from './ActivityPage';

function renderForm(unnamed: number) {
  const onRecord = vi.fn();
  render(
    <QueryClientProvider client={new QueryClient()}>
      <AddAttendee busy={false} unnamed={unnamed} onRecord={onRecord} />
    </QueryClientProvider>,
  );
  return onRecord;
}

describe('AddAttendee headcount', () => {
  it('refuses a blank headcount instead of saving it as 0', async () => {
    const onRecord = renderForm(12);
    const box = screen.getByLabelText(/People who attended but are not named/);
    await userEvent.clear(box);
    await userEvent.click(screen.getByRole('button', { name: 'Save headcount' }));
    expect(onRecord).not.toHaveBeenCalled();
    expect(screen.getByText(/Enter how many people attended without being named, or 0 if none/)).toBeInTheDocument();
  });

  it('saves a number, including 0', async () => {
    const onRecord = renderForm(12);
    const box = screen.getByLabelText(/People who attended but are not named/);
    await userEvent.clear(box);
    await userEvent.type(box, '0');
    await userEvent.click(screen.getByRole('button', { name: 'Save headcount' }));
    expect(onRecord).toHaveBeenCalledWith({ entries: [], unnamed_attendees: 0 });
  });
});

describe('ActivityPage attendance', () => {
  const activity = { id: 'a1', title: 'Bridport focus group', status: 'done', starts_at: '2026-11-02T10:00:00Z', method: 'focus_group', level: 'involve',
    duty_limb: null, plan_id: null, location: null, cost_pence: null, outcome_summary: null, version: 7 } as unknown as Schemas['ActivityRead'];
  const log = { activity_id: 'a1', invited_count: 1, attended_count: 0, unnamed_attendees: 0, version: 7,
    items: [{ stakeholder_id: 's1', stakeholder_name: 'Rita Example', invited: true, attended: false }] } as unknown as Schemas['AttendanceLog'];
  const renderActivity = () =>
    renderPage(<ActivityPage />, { path: '/activities/:id', url: '/activities/a1', role: 'contributor', cache: [[['activity', 'a1'], activity], [['attendance', 'a1'], log]] });

  afterEach(() => vi.restoreAllMocks());

  it('records attendance with If-Match of the activity as read, then of the version its answer gives', async () => {
    const post = vi.spyOn(api, 'POST').mockResolvedValue({ data: { ...log, attended_count: 1, version: 8, items: [{ ...log.items[0], attended: true }] }, response: new Response() } as never);
    vi.spyOn(api, 'GET').mockResolvedValue({ data: { ...activity, version: 8 }, response: new Response() } as never);
    renderActivity();
    fireEvent.click(screen.getByRole('button', { name: /^Mark as attended/ }));
    await waitFor(() => expect(post).toHaveBeenCalledTimes(1));
    expect(post.mock.calls[0]).toEqual(['/api/v1/activities/{activity_id}/attendance', {
      params: { path: { activity_id: 'a1' }, header: { 'If-Match': '"7"' } },
      body: { entries: [{ stakeholder_id: 's1', attended: true }] },
    }]);
    fireEvent.click(await screen.findByRole('button', { name: /^Mark as absent/ }));
    await waitFor(() => expect(post).toHaveBeenCalledTimes(2));
    expect((post.mock.calls[1]?.[1] as unknown as { params: { header: Record<string, string> } }).params.header).toEqual({ 'If-Match': '"8"' });
  });

  it('names a withheld person (restricted processing) as withheld, without a link to a page that would be a 404', () => {
    const withheld = { ...log, items: [{ stakeholder_id: 's2', stakeholder_name: '***', invited: true, attended: true, role: '***', stakeholder_withheld: true }] };
    renderPage(<ActivityPage />, { path: '/activities/:id', url: '/activities/a1', role: 'contributor', cache: [[['activity', 'a1'], activity], [['attendance', 'a1'], withheld]] });
    expect(screen.getByText('Withheld')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /\*\*\*|Withheld/ })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Mark as absent.*withheld person/ })).toBeInTheDocument();
  });

  it('shows a 412 (someone changed the activity) and reads the log again', async () => {
    const stale = { type: 'about:blank', title: 'Precondition Failed', status: 412, detail: 'The record changed' };
    vi.spyOn(api, 'POST').mockResolvedValue({ error: stale, response: new Response(null, { status: 412 }) } as never);
    const get = vi.spyOn(api, 'GET').mockImplementation((async (path: string) =>
      ({ data: path.endsWith('/attendance') ? { ...log, version: 8 } : { ...activity, version: 8 }, response: new Response() })) as never);
    renderActivity();
    fireEvent.click(screen.getByRole('button', { name: /^Mark as attended/ }));
    expect(await screen.findByText(/Someone else changed this record since you opened it/)).toBeInTheDocument();
    await waitFor(() => expect(get.mock.calls.map((call) => call[0])).toContain('/api/v1/activities/{activity_id}/attendance'));
  });
});

it("keeps the activity's title out of the tab title: the API holds it as personal, and the browser's history keeps titles", async () => {
  const visit = { id: 'a2', title: 'Home visit to Ann Lee', status: 'done', starts_at: '2026-11-02T10:00:00Z', method: 'one_to_one', level: 'involve',
    duty_limb: null, plan_id: null, location: null, cost_pence: null, outcome_summary: null, version: 1 } as unknown as Schemas['ActivityRead'];
  const log = { activity_id: 'a2', invited_count: 0, attended_count: 0, unnamed_attendees: 0, version: 1, items: [] } as unknown as Schemas['AttendanceLog'];
  renderPage(<ActivityPage />, { path: '/activities/:id', url: '/activities/a2', role: 'viewer', cache: [[['activity', 'a2'], visit], [['attendance', 'a2'], log]] });
  expect(await screen.findByRole('heading', { level: 1, name: 'Home visit to Ann Lee' })).toBeInTheDocument();
  expect(document.title).toBe('Activity – Involve');
});
