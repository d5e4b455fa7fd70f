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
