import type { FormEvent } from 'react';
import { Button } from 'nhsuk-react-components';
import type { Schemas } from '../../api/client';
import { DataTable, formatDate, humanise } from '../../components/ui';
import { useBaseVersion } from '../../components/useBaseVersion';

type Duty = Schemas['DutyRead'];
type Assessment = Schemas['DutyAssessmentRead'];
type EntryWrite = Schemas['EntryWrite'];

const LEVELS = ['inform', 'engage', 'consult'] as const;

/** The entries of the applicability form: only duties answered yes or no are recorded. */
export function entriesOf(form: FormData, duties: Duty[]): EntryWrite[] {
  const entries: EntryWrite[] = [];
  for (const duty of duties) {
    const applies = String(form.get(`applies-${duty.id}`) ?? '');
    if (applies !== 'yes' && applies !== 'no') continue;
    const level = String(form.get(`level-${duty.id}`) ?? '');
    entries.push({
      duty_id: duty.id,
      applies: applies === 'yes',
      reasons: String(form.get(`reasons-${duty.id}`) ?? '').trim(),
      level: applies === 'yes' && level ? (level as EntryWrite['level']) : null,
    });
  }
  return entries;
}

/** The current applicability record as a read-only table. */
export function ApplicabilityTable({ assessment }: { assessment: Assessment }) {
  return (
    <DataTable
      caption="Applicability of each duty"
      rows={assessment.entries}
      rowKey={(e) => e.duty_id}
      columns={[
        ['Duty', (e) => e.duty_title ?? e.duty_code ?? 'Removed duty'],
        ['Applies', (e) => (e.applies ? 'Yes' : 'No')],
        ['Level', (e) => humanise(e.level)],
        ['Reasons', (e) => e.reasons],
      ]}
      empty="No duty is recorded in this version."
    />
  );
}

/** The form writing a new version: each duty with applies yes/no, reasons and level; `base`, the version it was filled from. */
export function ApplicabilityForm({ duties, current, busy, onSave }: {
  duties: Duty[];
  current: Assessment | null;
  busy: boolean;
  onSave: (body: Schemas['DutyAssessmentWrite'], base: Assessment | null) => Promise<Assessment>;
}) {
  const { base, track } = useBaseVersion(current);
  const previous = new Map((current?.entries ?? []).map((e) => [e.duty_id, e]));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const note = String(form.get('note') ?? '').trim();
    track(onSave({ entries: entriesOf(form, duties), note: note || null }, base));
  }
  return (
    <form onSubmit={submit} aria-label="Record applicability" noValidate>
      {duties.map((duty) => {
        const was = previous.get(duty.id);
        return (
          <fieldset className="nhsuk-fieldset nhsuk-u-margin-bottom-5" key={duty.id}>
            <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">
              {duty.title}
              {duty.citation ? ` (${duty.citation})` : ''}
            </legend>
            <div className="nhsuk-form-group">
              <label className="nhsuk-label" htmlFor={`applies-${duty.id}`}>Does it apply?</label>
              <select className="nhsuk-select" id={`applies-${duty.id}`} name={`applies-${duty.id}`} defaultValue={was ? (was.applies ? 'yes' : 'no') : ''}>
                <option value="">Not recorded</option>
                <option value="yes">Yes</option>
                <option value="no">No</option>
              </select>
            </div>
            <div className="nhsuk-form-group">
              <label className="nhsuk-label" htmlFor={`level-${duty.id}`}>Level (where it applies)</label>
              <select className="nhsuk-select" id={`level-${duty.id}`} name={`level-${duty.id}`} defaultValue={was?.level ?? ''}>
                <option value="">None</option>
                {LEVELS.map((level) => <option key={level} value={level}>{humanise(level)}</option>)}
              </select>
            </div>
            <div className="nhsuk-form-group">
              <label className="nhsuk-label" htmlFor={`reasons-${duty.id}`}>Reasons</label>
              <textarea className="nhsuk-textarea" id={`reasons-${duty.id}`} name={`reasons-${duty.id}`} rows={2} defaultValue={was?.reasons ?? ''} />
            </div>
          </fieldset>
        );
      })}
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="note">Note (optional)</label>
        <textarea className="nhsuk-textarea" id="note" name="note" rows={2} />
      </div>
      <Button type="submit" disabled={busy}>Save as a new version</Button>
    </form>
  );
}

export function VersionHistory({ versions }: { versions: Assessment[] }) {
  return (
    <DataTable
      caption="Versions of the applicability record"
      rows={versions}
      rowKey={(v) => String(v.number)}
      empty="No version yet."
      columns={[
        ['Version', (v) => `${v.number}${v.current ? ' (current)' : ''}`],
        ['Recorded', (v) => formatDate(v.created_at)],
        ['Duties applying', (v) => v.entries.filter((e) => e.applies).length],
        ['Signed off', (v) => (v.signed_off_at ? formatDate(v.signed_off_at) : 'Not signed off')],
        ['Note', (v) => v.note ?? '—'],
      ]}
    />
  );
}
