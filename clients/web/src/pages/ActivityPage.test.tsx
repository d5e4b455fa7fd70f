import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { AddAttendee } from './ActivityPage';

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
