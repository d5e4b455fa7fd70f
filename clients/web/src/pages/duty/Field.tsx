import { cloneElement, createContext, isValidElement, useContext, type ReactNode } from 'react';

/** The errors of the page's latest refused save by input id (problems.ts `inputErrors`), for each Field to show its own. */
export const FieldErrors = createContext<Record<string, string>>({});

/**
 * A labelled form group; `children` renders the control with the id the label points at. An error for that id
 * (FieldErrors) is shown the NHS.UK way: the group and the control marked, the message above the control and linked
 * to it by aria-describedby.
 */
export function Field({ id, label, children }: { id: string; label: string; children: (id: string) => ReactNode }) {
  const error = useContext(FieldErrors)[id];
  const control = children(id);
  const marked = error && isValidElement<{ className?: string; 'aria-describedby'?: string }>(control)
    ? cloneElement(control, { className: withError(control.props.className), 'aria-describedby': `${id}-error` })
    : control;
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <label className="nhsuk-label" htmlFor={id}>{label}</label>
      {error && (
        <span className="nhsuk-error-message" id={`${id}-error`}>
          <span className="nhsuk-u-visually-hidden">Error:</span> {error}
        </span>
      )}
      {marked}
    </div>
  );
}

/** `nhsuk-input nhsuk-input--width-10` → with `nhsuk-input--error` (likewise select, textarea, file upload). */
function withError(className: string | undefined): string | undefined {
  const block = className?.split(' ')[0];
  return block ? `${className} ${block}--error` : className;
}

/** The ids of a form's fields under a prefix (API field → input id), so several forms of one kind share a page and the
 * NHS error summary links each API error to its input. */
export function prefixedIds(prefix: string, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, `${prefix}-${name}`]));
}
