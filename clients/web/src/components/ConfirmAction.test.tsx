import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConfirmAction } from './ConfirmAction';

function renderAction() {
  const onConfirm = vi.fn();
  render(
    <ConfirmAction className="app-link-button" question="Revoke Team calendar? Calendars subscribed with it stop updating." confirm="Yes, revoke" onConfirm={onConfirm}>
      Revoke
    </ConfirmAction>,
  );
  return onConfirm;
}

describe('ConfirmAction', () => {
  it('asks before acting, with the question focused, and acts on the second button', async () => {
    const onConfirm = renderAction();
    await userEvent.click(screen.getByRole('button', { name: 'Revoke' }));
    expect(onConfirm).not.toHaveBeenCalled();
    expect(screen.getByRole('group', { name: /Revoke Team calendar\?/ })).toBeInTheDocument();
    expect(screen.getByText(/Revoke Team calendar\?/)).toHaveFocus();
    await userEvent.click(screen.getByRole('button', { name: 'Yes, revoke' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it('does nothing on Cancel and gives focus back to the first button', async () => {
    const onConfirm = renderAction();
    await userEvent.click(screen.getByRole('button', { name: 'Revoke' }));
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onConfirm).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Revoke' })).toHaveFocus();
  });
});
