/**
 * Historical import: a device and a CSV or JSON Lines file of its readings with their own
 * timestamps. The file goes straight to S3 (API Gateway takes at most 10 MB a request): create
 * the job → PUT the file to its presigned `upload.url` with the content type it names → start it;
 * the list then shows its progress and report.
 */
import { dataJobLimits, type DataJob, type ImportFormat } from '@fleet/core';
import { useState } from 'react';
import type { Api } from '../api.ts';
import { FormError, useSubmit } from '../form-kit.tsx';
import { Field } from './data-job-forms.tsx';

/** The format a file's name says: `.jsonl` / `.ndjson` are JSON Lines, anything else is read as CSV. */
export const formatOfFile = (name: string): ImportFormat => (/\.(jsonl|ndjson)$/i.test(name) ? 'jsonl' : 'csv');

export function ImportForm(props: { api: Api; onCreated: (job: DataJob) => void }) {
  const [deviceId, setDeviceId] = useState('');
  const [file, setFile] = useState<File>();
  const [step, setStep] = useState<string>();
  const { error, busy, run } = useSubmit();
  return (
    <div className="card">
      <h2>Import</h2>
      <p className="muted">
        CSV with a header <code>ts,seq,&lt;metric&gt;…</code> (ts in epoch ms or ISO 8601; seq optional), or JSON Lines, one reading a line
        as a device publishes it. Rows already stored (same device, ts and seq) are counted as duplicates, not stored twice.
      </p>
      <form
        className="wide"
        onSubmit={run(async () => {
          if (!file) throw new Error('Pick a file to import');
          if (file.size === 0 || file.size > dataJobLimits.maxImportBytes) {
            throw new Error(`The file has ${file.size} bytes, expected 1 to ${dataJobLimits.maxImportBytes}`);
          }
          setStep('Creating the job…');
          try {
            const job = await props.api.createDataJob({
              kind: 'import',
              deviceId: deviceId.trim(),
              format: formatOfFile(file.name),
              bytes: file.size,
            });
            props.onCreated(job);
            setStep('Uploading the file…');
            await props.api.upload(job, file);
            setStep('Starting…');
            props.onCreated(await props.api.startDataJob(job.id));
          } finally {
            setStep(undefined);
          }
        })}
      >
        <Field label="Device id">
          <input aria-label="Import device id" value={deviceId} onChange={(e) => setDeviceId(e.target.value)} required />
        </Field>
        <Field label="File (CSV or JSON Lines)">
          <input
            aria-label="Import file"
            type="file"
            accept=".csv,.jsonl,.ndjson,text/csv,application/x-ndjson"
            onChange={(e) => setFile(e.target.files?.[0])}
            required
          />
        </Field>
        <button type="submit" disabled={busy}>
          Import
        </button>
        {step && <p className="muted">{step}</p>}
      </form>
      <FormError error={error} />
    </div>
  );
}
