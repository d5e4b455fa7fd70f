import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Select } from 'nhsuk-react-components';
import { api, toApiError, unwrap, type Problem, type Schemas } from '../../api/client';
import { saveBlob } from '../../components/download';
import { ErrorSummaryBox } from '../../components/ErrorSummaryBox';
import { useProblem } from '../../components/problems';
import { useTitle } from '../../components/useTitle';
import { BackTo, DataTable } from '../../components/ui';

type Report = Schemas['ImportReport'];
type Options = { match: 'external_id' | 'email'; on_conflict: Schemas['OnConflict']; on_error: Schemas['OnError'] };

/** A dry run answers 200 with the report, or 422 with the same figures and per-row errors. */
function reportFrom(body: unknown, dryRun: boolean): Report | null {
  const b = body as Partial<Report & Schemas['ImportProblem']>;
  if (typeof b?.created !== 'number') return null;
  const errors = (b.errors ?? []).map((e) => {
    const row = e as Partial<Schemas['ImportFieldError'] & Schemas['ImportRowError']>;
    return { row: row.row ?? 0, field: row.field ?? null, message: row.message ?? ('msg' in row ? String(row.msg) : '') };
  });
  const counts = { created: b.created ?? 0, updated: b.updated ?? 0, skipped: b.skipped ?? 0, failed: b.failed ?? errors.length };
  // The 422 problem carries the four counts but no `rows`: every row is one of them.
  const rows = b.rows ?? counts.created + counts.updated + counts.skipped + counts.failed;
  return { resource: 'stakeholders', format: 'csv', dry_run: dryRun, rows, ...counts, errors, body_sha256: b.body_sha256 ?? '' } as Report;
}

/** The report, and whether the call succeeded: a 422 carries a report too, of rows that failed. */
async function runImport(csv: string, options: Options, dryRun: boolean): Promise<{ report: Report; ok: boolean }> {
  const result = await api.POST('/api/v1/imports/stakeholders', {
    params: { query: { ...options, dry_run: dryRun } },
    body: csv as never,
    bodySerializer: (body) => body as unknown as string,
    headers: { 'Content-Type': 'text/csv' },
  });
  const report = reportFrom(result.data ?? result.error, dryRun);
  if (report) return { report, ok: result.response.ok };
  throw toApiError(result.error, result.response);
}

export default function ImportWizard() {
  useTitle('Import stakeholders');
  const queryClient = useQueryClient();
  const [csv, setCsv] = useState<string | null>(null);
  const [fileName, setFileName] = useState('');
  const [options, setOptions] = useState<Options>({ match: 'email', on_conflict: 'update', on_error: 'abort' });
  const [preview, setPreview] = useState<Report | null>(null);
  const [done, setDone] = useState<Report | null>(null);
  const { problem, setProblem, clear, onError } = useProblem();
  const [busy, setBusy] = useState(false);

  async function check(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const file = form.get('file');
    clear();
    setDone(null);
    if (!(file instanceof File) || file.size === 0) {
      setProblem({ type: 'about:blank', title: 'Choose a CSV file', status: 422, errors: [{ loc: ['file'], msg: 'Select a CSV file to import' }] } as Problem);
      return;
    }
    const chosen: Options = { match: form.get('match') as Options['match'], on_conflict: form.get('on_conflict') as Options['on_conflict'], on_error: form.get('on_error') as Options['on_error'] };
    const body = await file.text();
    setBusy(true);
    try {
      setCsv(body);
      setFileName(file.name);
      setOptions(chosen);
      setPreview((await runImport(body, chosen, true)).report);
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  }

  async function commit() {
    if (!csv) return;
    setBusy(true);
    try {
      const { report, ok } = await runImport(csv, options, false);
      if (ok) {
        setDone(report);
        setPreview(null);
        queryClient.invalidateQueries({ queryKey: ['stakeholders'] });
      } else {
        // Rows that passed the preview can fail now (the register changed meanwhile): nothing was written, so
        // this is no "Import complete"; show the rows that failed, as the preview does.
        setPreview(report);
        setProblem({ type: 'about:blank', title: 'Nothing was imported', status: 422,
          detail: `Nothing was imported: ${report.failed} of ${report.rows} rows failed. They are listed below with their problems.` } as Problem);
      }
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  }

  async function template() {
    try {
      saveBlob(unwrap(await api.GET('/api/v1/imports/stakeholders/template', { parseAs: 'blob' })) as unknown as Blob, 'stakeholders-template.csv');
    } catch (error) {
      onError(error);
    }
  }

  return (
    <>
      <BackTo to="/stakeholders">Stakeholder register</BackTo>
      <ErrorSummaryBox problem={problem} fieldIds={{ file: 'file' }} />
      <h1>Import stakeholders</h1>
      {done ? (
        <div className="nhsuk-panel" role="status">
          <h2 className="nhsuk-panel__title">Import complete</h2>
          <p className="nhsuk-body">
            {done.created} created, {done.updated} updated, {done.skipped} skipped, {done.failed} failed.
          </p>
          <p className="nhsuk-body">
            <Link to="/stakeholders">Go to the register</Link>
          </p>
        </div>
      ) : (
        <>
          <p className="nhsuk-body">
            Step 1: upload a CSV file. Step 2: check the preview; nothing is written until you confirm.{' '}
            <button type="button" className="app-link-button" onClick={template}>
              Download the template
            </button>
          </p>
          <form onSubmit={check} noValidate>
            <div className={`nhsuk-form-group${problem?.errors?.some((e) => e.loc.includes('file')) ? ' nhsuk-form-group--error' : ''}`}>
              <label className="nhsuk-label" htmlFor="file">
                CSV file
              </label>
              <input className="nhsuk-file-upload" id="file" name="file" type="file" accept=".csv,text/csv" />
            </div>
            <Select id="match" name="match" label="Find existing stakeholders by" defaultValue={options.match}>
              <option value="email">Email</option>
              <option value="external_id">External id</option>
            </Select>
            <Select id="on_conflict" name="on_conflict" label="When a row matches an existing stakeholder" defaultValue={options.on_conflict}>
              <option value="update">Update it</option>
              <option value="skip">Skip the row</option>
              <option value="error">Report an error</option>
            </Select>
            <Select id="on_error" name="on_error" label="When some rows have errors" defaultValue={options.on_error}>
              <option value="abort">Import nothing</option>
              <option value="skip">Import the good rows</option>
            </Select>
            <Button type="submit" secondary disabled={busy}>
              Check the file
            </Button>
          </form>
        </>
      )}
      {preview && (
        <section aria-labelledby="preview-title">
          <h2 id="preview-title">Preview of {fileName}</h2>
          <p className="nhsuk-body" role="status">
            {preview.rows} rows: {preview.created} to create, {preview.updated} to update, {preview.skipped} to skip, {preview.failed} with errors.
          </p>
          <DataTable
            caption="Rows with errors"
            rows={preview.errors}
            rowKey={(e) => `${e.row}-${e.field}-${e.message}`}
            empty="No row has an error."
            columns={[
              ['Row', (e) => e.row],
              ['Field', (e) => e.field ?? '—'],
              ['Problem', (e) => e.message],
            ]}
          />
          {(preview.failed === 0 || options.on_error === 'skip') && (
            <Button type="button" onClick={commit} disabled={busy}>
              Import {preview.created + preview.updated} stakeholders
            </Button>
          )}
          {preview.failed > 0 && options.on_error === 'abort' && (
            <p className="nhsuk-body">Correct the rows above and upload the file again, or choose to import the good rows.</p>
          )}
        </section>
      )}
    </>
  );
}
