import { render, screen } from '@testing-library/react';
import type { Problem } from '../api/client';
import { ErrorSummaryBox } from './ErrorSummaryBox';
import { StatusTag } from './ui';

describe('ErrorSummaryBox', () => {
  it('lists each field error as a link to its field and takes focus', () => {
    const problem = { type: 'x', title: 'Unprocessable', status: 422, errors: [{ loc: ['body', 'email'], msg: 'value is not a valid email address' }] } as Problem;
    render(<ErrorSummaryBox problem={problem} fieldIds={{ email: 'email' }} />);
    const link = screen.getByRole('link', { name: /email: value is not a valid email/i });
    expect(link).toHaveAttribute('href', '#email');
    expect(screen.getByRole('alert')).toHaveFocus();
  });

  it('shows the detail when no field is to blame', () => {
    render(<ErrorSummaryBox problem={{ type: 'x', title: 'Conflict', status: 409, detail: 'Plan already approved' } as Problem} />);
    expect(screen.getByText('Plan already approved')).toBeInTheDocument();
  });
});

it('StatusTag says the status in words, not only in colour', () => {
  render(<StatusTag value="red" text="Red" />);
  expect(screen.getByText('Red')).toHaveClass('nhsuk-tag--red');
});
