import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { RecordFeedback } from './FeedbackInbox';

describe('RecordFeedback "From"', () => {
  it('offers the stakeholders a search finds, as stakeholder_id, anonymous by default', async () => {
    // The search's answer is already in the cache: the form is tested on what the API answered, without a server.
    const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
    queryClient.setQueryData(['plans', 'options'], { items: [], next_cursor: null, total: 0 });
    queryClient.setQueryData(['stakeholders', { q: 'Amira', limit: 20 }], { items: [{ id: 's1', name: 'Amira Haddad' }], next_cursor: null, total: 1 });
    const router = createMemoryRouter([{ path: '/feedback', element: <RecordFeedback activityId={null} planId={null} /> }], { initialEntries: ['/feedback'] });
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
