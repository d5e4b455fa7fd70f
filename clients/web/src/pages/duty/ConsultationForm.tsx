import type { FormEvent } from 'react';
import { Button } from 'nhsuk-react-components';
import type { Schemas } from '../../api/client';
import { text } from '../../components/fields';
import { useBaseVersion } from '../../components/useBaseVersion';
import { Field, prefixedIds } from './Field';

type Consultation = Schemas['ConsultationRead'];
type Body = Schemas['ConsultationCreate'];

const FIELDS = ['title', 'opened_date', 'closed_date', 'minimum_days', 'shorter_reason', 'decision_date', 'decision_maker', 'decision_summary'] as const;

/** The id of each field of the form with this prefix, for the NHS error summary's links (API field → input id). */
export function consultationFieldIds(prefix: string): Record<string, string> {
  return prefixedIds(prefix, FIELDS);
}

/**
 * A consultation's fields, empty to add one or filled from `consultation` to correct it. Every field is sent: an
 * emptied optional field clears it (null), as PATCH takes it; `base` is the consultation as the form was filled from it.
 */
export function ConsultationForm({ label, prefix, consultation, busy, submit, onSave }: {
  label: string;
  prefix: string;
  consultation?: Consultation;
  busy: boolean;
  submit: string;
  onSave: (body: Body, base: Consultation | null) => Promise<Consultation>;
}) {
  const { base, track } = useBaseVersion(consultation);
  const id = (name: (typeof FIELDS)[number]) => `${prefix}-${name}`;
  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const min = text(f, id('minimum_days'));
    track(onSave({
      title: String(f.get(id('title')) ?? ''),
      opened_date: text(f, id('opened_date')),
      closed_date: text(f, id('closed_date')),
      minimum_days: min === null ? null : Number(min),
      shorter_reason: text(f, id('shorter_reason')),
      decision_date: text(f, id('decision_date')),
      decision_maker: text(f, id('decision_maker')),
      decision_summary: text(f, id('decision_summary')),
    }, base));
  }
  const c = consultation;
  const date = 'nhsuk-input nhsuk-input--width-10';
  return (
    <form aria-label={label} onSubmit={save}>
      <Field id={id('title')} label="Title">{(i) => <input className="nhsuk-input" id={i} name={i} defaultValue={c?.title ?? ''} />}</Field>
      <Field id={id('opened_date')} label="Opened">{(i) => <input className={date} type="date" id={i} name={i} defaultValue={c?.opened_date ?? ''} />}</Field>
      <Field id={id('closed_date')} label="Closed">{(i) => <input className={date} type="date" id={i} name={i} defaultValue={c?.closed_date ?? ''} />}</Field>
      <Field id={id('minimum_days')} label="Minimum days (optional)">
        {(i) => <input className="nhsuk-input nhsuk-input--width-4" type="number" min={1} id={i} name={i} defaultValue={c?.minimum_days ?? ''} />}
      </Field>
      <Field id={id('shorter_reason')} label="Why it ran for less than the minimum (optional)">
        {(i) => <textarea className="nhsuk-textarea" rows={2} id={i} name={i} defaultValue={c?.shorter_reason ?? ''} />}
      </Field>
      <Field id={id('decision_date')} label="Decision date (optional)">{(i) => <input className={date} type="date" id={i} name={i} defaultValue={c?.decision_date ?? ''} />}</Field>
      <Field id={id('decision_maker')} label="Decided by (optional)">{(i) => <input className="nhsuk-input" id={i} name={i} defaultValue={c?.decision_maker ?? ''} />}</Field>
      <Field id={id('decision_summary')} label="Decision (optional)">
        {(i) => <textarea className="nhsuk-textarea" rows={2} id={i} name={i} defaultValue={c?.decision_summary ?? ''} />}
      </Field>
      <Button type="submit" disabled={busy}>{submit}</Button>
    </form>
  );
}
