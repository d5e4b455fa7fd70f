import type { ReactNode } from 'react';
import { Select } from 'nhsuk-react-components';
import { humanise } from './ui';

/** A group of checkboxes posting several values under one name (NHS checkboxes markup). */
export function CheckboxGroup({ name, legend, options, selected, error, hint }: {
  name: string;
  legend: string;
  options: readonly string[];
  selected: readonly string[];
  error?: string;
  hint?: ReactNode;
}) {
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <fieldset className="nhsuk-fieldset" aria-describedby={error ? `${name}-error` : undefined}>
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
        {hint && <div className="nhsuk-hint">{hint}</div>}
        {error && (
          <span className="nhsuk-error-message" id={`${name}-error`}>
            <span className="nhsuk-u-visually-hidden">Error:</span> {error}
          </span>
        )}
        <div className="nhsuk-checkboxes nhsuk-checkboxes--small">
          {options.map((option, index) => (
            <div className="nhsuk-checkboxes__item" key={option}>
              <input className="nhsuk-checkboxes__input" id={index === 0 ? name : `${name}-${option}`} name={name} type="checkbox" value={option} defaultChecked={selected.includes(option)} />
              <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={index === 0 ? name : `${name}-${option}`}>
                {humanise(option)}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
}

/**
 * A select of records loaded from the API (an organisation, a plan), with a first choice meaning none.
 * React applies an uncontrolled select's defaultValue only when it mounts: mounted before its options had
 * arrived, it showed and submitted "none" (saving a stakeholder's edit form cleared their organisation).
 * So until the choices arrive the current value is the only option, and the select mounts again with them.
 * The choices are one page of what may be a longer list (500 of a register's organisations): the current value stays
 * an option even when that page lacks it, named by `chosen` (the caller reads that record by its id).
 */
export function RecordSelect({ id, name, label, none, value, choices, chosen, error }: {
  id: string;
  name: string;
  label: string;
  none: string;
  value: string | null | undefined;
  choices: { id: string; text: string }[] | undefined;
  chosen?: string;
  error?: string;
}) {
  const listed = Boolean(choices?.some((c) => c.id === value));
  return (
    <Select key={choices ? 'loaded' : 'loading'} id={id} name={name} label={label} defaultValue={value ?? ''} error={error}>
      <option value="">{none}</option>
      {value && !listed && <option value={value}>{chosen ?? 'Loading…'}</option>}
      {choices?.map((c) => <option key={c.id} value={c.id}>{c.text}</option>)}
    </Select>
  );
}

/** One yes/no checkbox; `disabled` with a `hint` that says why (a disabled box is not submitted). */
export function Flag({ name, label, checked, disabled = false, hint }: { name: string; label: string; checked: boolean; disabled?: boolean; hint?: ReactNode }) {
  return (
    <div className="nhsuk-checkboxes nhsuk-checkboxes--small nhsuk-u-margin-bottom-3">
      <div className="nhsuk-checkboxes__item">
        <input className="nhsuk-checkboxes__input" id={name} name={name} type="checkbox" value="true" defaultChecked={checked} disabled={disabled}
          aria-describedby={hint ? `${name}-hint` : undefined} />
        <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={name}>
          {label}
        </label>
        {hint && <div className="nhsuk-hint nhsuk-checkboxes__hint" id={`${name}-hint`}>{hint}</div>}
      </div>
    </div>
  );
}

/** Text → null when blank, so optional fields are cleared rather than set to "". */
export function text(form: FormData, name: string): string | null {
  const value = String(form.get(name) ?? '').trim();
  return value === '' ? null : value;
}

export function list(form: FormData, name: string): string[] {
  return form.getAll(name).map(String);
}

export function csvList(form: FormData, name: string): string[] {
  return String(form.get(name) ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/**
 * The fields of `body` whose value differs from the record the form was filled from: an update sends only what the
 * user changed, so a field the form could not show as stored is never overwritten with what it showed instead.
 */
export function changedFields<T extends object>(body: T, record: object): Partial<T> {
  const stored = record as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(stored[name]))) as Partial<T>;
}
