import type { ReactNode } from 'react';

/** A labelled form group; `children` renders the control with the id the label points at. */
export function Field({ id, label, children }: { id: string; label: string; children: (id: string) => ReactNode }) {
  return (
    <div className="nhsuk-form-group">
      <label className="nhsuk-label" htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}

/** The ids of a form's fields under a prefix (API field → input id), so several forms of one kind share a page and the
 * NHS error summary links each API error to its input. */
export function prefixedIds(prefix: string, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, `${prefix}-${name}`]));
}
