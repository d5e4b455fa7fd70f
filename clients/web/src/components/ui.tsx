import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Tag, type TagProps } from 'nhsuk-react-components';
import { describe, fieldErrors, problemOf } from './problems';

/** "manage_closely" → "Manage closely". */
export function humanise(value: string | null | undefined): string {
  if (!value) return '—';
  const text = value.replace(/[_-]/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const MASK = '***';

/** A contact detail; the API masks them as *** for viewers, which is said in words, not read out as stars. */
export function Contact({ value }: { value: string | null | undefined }) {
  if (value === MASK) return <span>Hidden<span className="nhsuk-u-visually-hidden"> (your role cannot see contact details)</span></span>;
  return <>{value ?? '—'}</>;
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  return new Date(value).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}

export function pounds(pence: number | null | undefined): string {
  if (pence === null || pence === undefined) return '—';
  return (pence / 100).toLocaleString('en-GB', { style: 'currency', currency: 'GBP' });
}

const COLOURS: Record<string, TagProps['modifier']> = {
  red: 'red', amber: 'orange', green: 'green', overdue: 'red', closed: 'grey', responded: 'green',
  received: 'blue', acknowledged: 'aqua-green', considered: 'purple', approved: 'green', draft: 'grey',
  active: 'blue', done: 'green', planned: 'blue', cancelled: 'grey', archived: 'grey',
  manage_closely: 'red', keep_satisfied: 'orange', keep_informed: 'blue', monitor: 'grey',
};

/** A status always shown as words; colour only repeats it (WCAG 1.4.1). */
export function StatusTag({ value, text }: { value: string; text?: string }) {
  return <Tag modifier={COLOURS[value] ?? 'white'}>{text ?? humanise(value)}</Tag>;
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="nhsuk-body" role="status">
      {what}…
    </p>
  );
}

export function QueryError({ error }: { error: unknown }) {
  const problem = problemOf(error);
  // A refused read (a 422 on a query parameter: a hand-edited link, an old bookmark) says which value and why.
  const errors = Object.entries(fieldErrors(problem));
  return (
    <div className="nhsuk-error-summary" role="alert">
      <h2 className="nhsuk-error-summary__title">Sorry, there is a problem</h2>
      <div className="nhsuk-error-summary__body">
        <p>{problem ? describe(problem) : 'Something went wrong.'}</p>
        {errors.length > 0 && (
          <ul className="nhsuk-list nhsuk-error-summary__list">
            {errors.map(([field, msg]) => <li key={field}>{`${humanise(field)}: ${msg}`}</li>)}
          </ul>
        )}
      </div>
    </div>
  );
}

/** Renders children once the query has data; loading and errors otherwise. */
export function Loaded<T>({ query, children }: { query: { data?: T; error: unknown; isPending: boolean }; children: (data: T) => ReactNode }) {
  if (query.error) return <QueryError error={query.error} />;
  if (query.isPending || query.data === undefined) return <Loading />;
  return <>{children(query.data)}</>;
}

export function BackTo({ to, children }: { to: string; children: ReactNode }) {
  return (
    <div className="nhsuk-back-link">
      <Link className="nhsuk-back-link__link" to={to}>
        {children}
      </Link>
    </div>
  );
}

export function Summary({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="nhsuk-summary-list">
      {rows.map(([key, value]) => (
        <div className="nhsuk-summary-list__row" key={key}>
          <dt className="nhsuk-summary-list__key">{key}</dt>
          <dd className="nhsuk-summary-list__value">{value === '' || value === null || value === undefined ? '—' : value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A table with a caption; columns are [heading, cell renderer]. */
export function DataTable<T>({ caption, rows, columns, empty = 'Nothing to show.', rowKey }: {
  caption: string;
  rows: T[];
  columns: [string, (row: T) => ReactNode][];
  empty?: string;
  rowKey: (row: T) => string;
}) {
  if (rows.length === 0) return <p className="nhsuk-body">{empty}</p>;
  return (
    <div className="nhsuk-table-container">
      <table className="nhsuk-table">
        <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">{caption}</caption>
        <thead className="nhsuk-table__head">
          <tr className="nhsuk-table__row">
            {columns.map(([heading]) => (
              <th scope="col" className="nhsuk-table__header" key={heading}>
                {heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="nhsuk-table__body">
          {rows.map((row) => (
            <tr className="nhsuk-table__row" key={rowKey(row)}>
              {columns.map(([heading, cell]) => (
                <td className="nhsuk-table__cell" key={heading}>
                  {cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
