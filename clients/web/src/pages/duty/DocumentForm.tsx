import type { FormEvent } from 'react';
import { Button } from 'nhsuk-react-components';
import type { Schemas } from '../../api/client';
import { text } from '../../components/fields';
import { useBaseVersion } from '../../components/useBaseVersion';
import { humanise } from '../../components/ui';
import { Field, prefixedIds } from './Field';

export const DOCUMENT_KINDS = ['consultation_pack', 'equality_impact_assessment', 'correspondence', 'decision_record', 'other'] as const;
const FIELDS = ['title', 'kind', 'consultation_id', 'published_at'] as const;

/** The id of each field of the form with this prefix, for the NHS error summary's links (API field → input id). */
export function documentFieldIds(prefix: string): Record<string, string> {
  return prefixedIds(prefix, FIELDS);
}

/** An ISO moment as a datetime-local input shows it: the browser's local time, to the minute. */
export function localInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A document's metadata (its content never changes): title, kind, consultation and when it was published. Every field
 * is sent, an emptied one cleared, as PATCH takes it; the publication time goes as ISO 8601; `base` is the document as the
 * form was filled from it.
 */
export function DocumentForm({ label, prefix, document, consultations, busy, onSave }: {
  label: string;
  prefix: string;
  document: Schemas['DocumentRead'];
  consultations: Schemas['ConsultationRead'][];
  busy: boolean;
  onSave: (body: Schemas['DocumentUpdate'], base: Schemas['DocumentRead'] | null) => Promise<Schemas['DocumentRead']>;
}) {
  const { base, track } = useBaseVersion(document);
  const id = (name: (typeof FIELDS)[number]) => `${prefix}-${name}`;
  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const published = text(f, id('published_at'));
    track(onSave({
      title: String(f.get(id('title')) ?? ''),
      kind: String(f.get(id('kind'))) as Schemas['DocumentKind'],
      consultation_id: text(f, id('consultation_id')),
      published_at: published ? new Date(published).toISOString() : null,
    }, base));
  }
  return (
    <form aria-label={label} onSubmit={save}>
      <Field id={id('title')} label="Title">{(i) => <input className="nhsuk-input" id={i} name={i} defaultValue={document.title} />}</Field>
      <Field id={id('kind')} label="Kind">
        {(i) => (
          <select className="nhsuk-select" id={i} name={i} defaultValue={document.kind}>
            {DOCUMENT_KINDS.map((k) => <option key={k} value={k}>{humanise(k)}</option>)}
          </select>
        )}
      </Field>
      <Field id={id('consultation_id')} label="Consultation (optional)">
        {(i) => (
          <select className="nhsuk-select" id={i} name={i} defaultValue={document.consultation_id ?? ''}>
            <option value="">None</option>
            {consultations.map((c) => <option key={c.id} value={c.id} dir="auto">{c.title}</option>)}
          </select>
        )}
      </Field>
      <Field id={id('published_at')} label="Published at (optional)">
        {(i) => <input className="nhsuk-input nhsuk-input--width-20" type="datetime-local" id={i} name={i} defaultValue={localInput(document.published_at)} />}
      </Field>
      <Button type="submit" disabled={busy}>Save document details</Button>
    </form>
  );
}
