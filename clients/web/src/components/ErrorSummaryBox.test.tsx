import { render, screen } from '@testing-library/react';
import { ApiError, type Problem } from '../api/client';
import { ErrorSummaryBox } from './ErrorSummaryBox';
import { QueryError, StatusTag } from './ui';

describe('ErrorSummaryBox', () => {
  it('lists each field error as a link to its field and takes focus', () => {
    const problem = { type: 'x', title: 'Unprocessable', status: 422, errors: [{ loc: ['body', 'email'], msg: 'value is not a valid email address' }] } as Problem;
    render(<ErrorSummaryBox problem={problem} fieldIds={{ email: 'email' }} />);
    const link = screen.getByRole('link', { name: /email: value is not a valid email/i });
    expect(link).toHaveAttribute('href', '#email');
    expect(screen.getByRole('alert')).toHaveFocus();
  });

  it('is labelled by its own title when a page shows several', () => {
    const problem = { type: 'x', title: 'Conflict', status: 409, detail: 'Plan already approved' } as Problem;
    render(<><ErrorSummaryBox problem={problem} /><ErrorSummaryBox problem={problem} /></>);
    const summaries = screen.getAllByRole('alert');
    const titles = summaries.map((summary) => document.getElementById(summary.getAttribute('aria-labelledby') ?? ''));
    expect(titles.every((title, i) => title !== null && summaries[i]?.contains(title))).toBe(true);
  });

  it('shows the detail when no field is to blame', () => {
    render(<ErrorSummaryBox problem={{ type: 'x', title: 'Conflict', status: 409, detail: 'Plan already approved' } as Problem} />);
    expect(screen.getByText('Plan already approved')).toBeInTheDocument();
  });
});

describe('QueryError', () => {
  it('says which query parameter a refused read (422) was refused for, and why', () => {
    const problem = { type: 'x', title: 'Validation failed', status: 422, detail: 'One or more fields are invalid',
      errors: [{ loc: ['query', 'min_influence'], msg: 'Input should be a valid integer', type: 'int_parsing' }] } as Problem;
    render(<QueryError error={new ApiError(422, problem)} />);
    expect(screen.getByText('One or more fields are invalid')).toBeInTheDocument();
    expect(screen.getByRole('listitem')).toHaveTextContent('Min influence: Input should be a valid integer');
  });
});

it('StatusTag says the status in words, not only in colour', () => {
  render(<StatusTag value="red" text="Red" />);
  expect(screen.getByText('Red')).toHaveClass('nhsuk-tag--red');
});
