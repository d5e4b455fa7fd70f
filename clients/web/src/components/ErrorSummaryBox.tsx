import { useEffect, useId, useRef } from 'react';
import type { Problem } from '../api/client';
import { describe, fieldErrors } from './problems';
import { humanise } from './ui';

interface Props {
  problem: Problem | null;
  /** Field name → the id of its input, so each message links to the field. */
  fieldIds?: Record<string, string>;
}

/** The NHS error summary pattern: a focused box at the top listing each problem, linked to its field. */
export function ErrorSummaryBox({ problem, fieldIds = {} }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  // Its own id: a page can show several summaries (a form's and a section's), each labelled by its own title.
  const titleId = useId();
  useEffect(() => {
    if (problem) ref.current?.focus();
  }, [problem]);
  if (!problem) return null;
  const errors = fieldErrors(problem);
  const entries = Object.entries(errors);
  return (
    <div className="nhsuk-error-summary" aria-labelledby={titleId} role="alert" tabIndex={-1} ref={ref}>
      <h2 className="nhsuk-error-summary__title" id={titleId}>
        There is a problem
      </h2>
      <div className="nhsuk-error-summary__body">
        {entries.length === 0 && <p>{describe(problem)}</p>}
        <ul className="nhsuk-list nhsuk-error-summary__list">
          {entries.map(([field, msg]) => (
            <li key={field}>
              {fieldIds[field] ? <a href={`#${fieldIds[field]}`}>{`${humanise(field)}: ${msg}`}</a> : `${humanise(field)}: ${msg}`}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
