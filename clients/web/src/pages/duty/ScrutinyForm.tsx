import type { FormEvent } from 'react';
import { Button } from 'nhsuk-react-components';
import type { Schemas } from '../../api/client';
import { text } from '../../components/fields';
import { useBaseVersion } from '../../components/useBaseVersion';
import { Field } from './Field';

type Scrutiny = Schemas['ScrutinyRead'];

/** API field → input id, for the error summary's links and each Field's own error. */
export const SCRUTINY_FIELD_IDS = {
  committee_name: 's-committee', substantial_variation: 's-variation', substantial_variation_reason: 's-reason', committee_view: 's-view',
  committee_view_date: 's-view-date', sos_notification_required: 's-sos', sos_notified_date: 's-sos-date',
};

function tristate(value: boolean | null | undefined): string {
  return value === true ? 'yes' : value === false ? 'no' : '';
}

function fromTristate(value: string | null): boolean | null {
  return value === 'yes' ? true : value === 'no' ? false : null;
}

/** The plan's scrutiny record (one per plan), written whole; If-Match carries the version the form was filled from. */
export function ScrutinyForm({ scrutiny: s, busy, onSave }: {
  scrutiny: Scrutiny;
  busy: boolean;
  onSave: (body: Schemas['ScrutinyPut'], base: Scrutiny | null) => Promise<Scrutiny>;
}) {
  const { base, track } = useBaseVersion(s);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    track(onSave({
      body: s.body,
      committee_name: text(f, 's-committee'),
      substantial_variation: fromTristate(text(f, 's-variation')),
      substantial_variation_reason: text(f, 's-reason'),
      committee_view: text(f, 's-view'),
      committee_view_date: text(f, 's-view-date'),
      sos_notification_required: fromTristate(text(f, 's-sos')),
      sos_notified_date: text(f, 's-sos-date'),
    }, base));
  }
  return (
    <form aria-label="Scrutiny record" onSubmit={submit}>
      <Field id="s-committee" label="Committee name">{(i) => <input className="nhsuk-input" id={i} name={i} defaultValue={s.committee_name ?? ''} />}</Field>
      <TristateField id="s-variation" label="Is it a substantial variation?" value={s.substantial_variation} unset="Not assessed" />
      <Field id="s-reason" label="Why (required once assessed)">{(i) => <textarea className="nhsuk-textarea" rows={2} id={i} name={i} defaultValue={s.substantial_variation_reason ?? ''} />}</Field>
      <Field id="s-view" label="Committee view (optional)">{(i) => <textarea className="nhsuk-textarea" rows={2} id={i} name={i} defaultValue={s.committee_view ?? ''} />}</Field>
      <Field id="s-view-date" label="Date of the committee view (optional)">{(i) => <input className="nhsuk-input nhsuk-input--width-10" type="date" id={i} name={i} defaultValue={s.committee_view_date ?? ''} />}</Field>
      <TristateField id="s-sos" label="Is notification to the Secretary of State required?" value={s.sos_notification_required} unset="Not recorded" />
      <Field id="s-sos-date" label="Date notified (optional)">{(i) => <input className="nhsuk-input nhsuk-input--width-10" type="date" id={i} name={i} defaultValue={s.sos_notified_date ?? ''} />}</Field>
      <Button type="submit" disabled={busy}>Save scrutiny record</Button>
    </form>
  );
}

/** A yes / no / not yet answered question, as the record's nullable booleans hold it. */
function TristateField({ id, label, value, unset }: { id: string; label: string; value: boolean | null | undefined; unset: string }) {
  return (
    <Field id={id} label={label}>
      {(i) => (
        <select className="nhsuk-select" id={i} name={i} defaultValue={tristate(value)}>
          <option value="">{unset}</option><option value="yes">Yes</option><option value="no">No</option>
        </select>
      )}
    </Field>
  );
}
