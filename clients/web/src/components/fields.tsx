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
 */
export function RecordSelect({ id, name, label, none, value, choices, error }: {
  id: string;
  name: string;
  label: string;
  none: string;
  value: string | null | undefined;
  choices: { id: string; text: string }[] | undefined;
  error?: string;
}) {
  return (
    <Select key={choices ? 'loaded' : 'loading'} id={id} name={name} label={label} defaultValue={value ?? ''} error={error}>
      <option value="">{none}</option>
      {choices
        ? choices.map((c) => <option key={c.id} value={c.id}>{c.text}</option>)
        : value && <option value={value}>Loading…</option>}
    </Select>
  );
}

/** One yes/no checkbox. */
export function Flag({ name, label, checked }: { name: string; label: string; checked: boolean }) {
  return (
    <div className="nhsuk-checkboxes nhsuk-checkboxes--small nhsuk-u-margin-bottom-3">
      <div className="nhsuk-checkboxes__item">
        <input className="nhsuk-checkboxes__input" id={name} name={name} type="checkbox" value="true" defaultChecked={checked} />
        <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={name}>
          {label}
        </label>
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
