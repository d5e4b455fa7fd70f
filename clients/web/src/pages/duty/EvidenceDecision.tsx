import { useContext, type FormEvent } from 'react';
import { Button } from 'nhsuk-react-components';
import type { Schemas } from '../../api/client';
import { RecordSelect, text } from '../../components/fields';
import { useBaseVersion } from '../../components/useBaseVersion';
import { formatDate } from '../../components/ui';
import { Field, FieldErrors, prefixedIds } from './Field';

type Evidence = Schemas['EvidenceRead'];
type Body = Pick<Schemas['EvidenceUpdate'], 'decision' | 'decision_date' | 'consultation_id'>;

const FIELDS = ['decision', 'decision_date', 'consultation_id'] as const;

/** The id of each field of the form with this prefix, for the NHS error summary's links (API field → input id). */
export function evidenceDecisionFieldIds(prefix: string): Record<string, string> {
  return prefixedIds(prefix, FIELDS);
}

/**
 * Which consultation of the plan a decision is about; none means the plan's, read against each consultation (Gunning 1
 * and 4). Only live consultations are offered (the API refuses a new link to an archived one, 409); the one an item
 * already names stays shown and chosen, by `currentTitle`, though archived.
 */
export function ConsultationChoice({ id, value, consultations, currentTitle }: {
  id: string;
  value: string | null;
  consultations: Schemas['ConsultationRead'][] | undefined;
  currentTitle?: string;
}) {
  const error = useContext(FieldErrors)[id];
  return (
    <RecordSelect id={id} name={id} label="Consultation this decision is about" none="Not about one consultation (applies to all)" value={value}
      choices={consultations?.map((c) => ({ id: c.id, text: c.title }))} chosen={currentTitle} error={error} />
  );
}

/** The decision an item records, and beside it the consultation it is about (by title) when it names one. */
export function EvidenceDecision({ item, consultationTitle }: { item: Evidence; consultationTitle?: string }) {
  const decision = item.decision ? `${item.decision} (${formatDate(item.decision_date)})` : '—';
  if (!item.consultation_id) return <>{decision}</>;
  return (
    <>
      {decision}
      <br />
      Consultation: <bdi>{consultationTitle ?? 'loading…'}</bdi>
    </>
  );
}

/**
 * An evidence item's decision corrected: what, when and which consultation it is about. The caller sends only the
 * fields changed from `base`, the item as the form was filled from it (the consultation of a plan on legal hold cannot
 * change, 409).
 */
export function EvidenceDecisionForm({ label, prefix, item, consultations, currentTitle, busy, onSave }: {
  label: string;
  prefix: string;
  item: Evidence;
  consultations: Schemas['ConsultationRead'][] | undefined;
  currentTitle?: string;
  busy: boolean;
  onSave: (body: Body, base: Evidence | null) => Promise<Evidence>;
}) {
  const { base, track } = useBaseVersion(item);
  const id = (name: (typeof FIELDS)[number]) => `${prefix}-${name}`;
  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    track(onSave({
      decision: text(f, id('decision')),
      decision_date: text(f, id('decision_date')),
      consultation_id: text(f, id('consultation_id')),
    }, base));
  }
  return (
    <form aria-label={label} onSubmit={save}>
      <Field id={id('decision')} label="Decision (optional)">{(i) => <input className="nhsuk-input" id={i} name={i} defaultValue={item.decision ?? ''} />}</Field>
      <Field id={id('decision_date')} label="Decision date (optional)">
        {(i) => <input className="nhsuk-input nhsuk-input--width-10" type="date" id={i} name={i} defaultValue={item.decision_date ?? ''} />}
      </Field>
      <ConsultationChoice id={id('consultation_id')} value={item.consultation_id} consultations={consultations} currentTitle={currentTitle} />
      <Button type="submit" disabled={busy}>Save the decision</Button>
    </form>
  );
}
