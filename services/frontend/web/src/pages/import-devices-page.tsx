/**
 * Bulk registration (`/devices/import`): choose a CSV file, check its first rows (parsed here with
 * the API's own `parseDeviceImportCsv`), start the import, watch its progress and row results
 * (failed rows first), download the credentials ZIP (once: the API forgets the keys after it), then
 * open the device list filtered to each group of the file.
 */
import {
  deviceImportLimits,
  DeviceImportFileError,
  parseDeviceImportCsv,
  type DeviceImportAnswer,
  type ParsedDeviceImport,
} from '@fleet/core';
import { useEffect, useState } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { FormError, RouteLink, useSubmit } from '../form-kit.tsx';
import { appPaths } from '../app-paths.ts';
import { saveBlob } from '../save-file.ts';

const previewRows = 5;
const shownResults = 200;

export function ImportDevicesPage(props: { api: Api; navigate: (to: string) => void }) {
  const { api, navigate } = props;
  const [csv, setCsv] = useState<string>();
  const [preview, setPreview] = useState<ParsedDeviceImport>();
  const [fileError, setFileError] = useState<string>();
  const [answer, setAnswer] = useState<DeviceImportAnswer>();
  const [pollError, setPollError] = useState<unknown>();
  const [downloaded, setDownloaded] = useState(false);
  const start = useSubmit();
  const download = useSubmit();
  const importId = answer?.job.importId;
  const running = answer?.job.status === 'running';

  useEffect(() => {
    if (!importId || !running) return;
    const timer = setTimeout(() => {
      api.deviceImport(importId, shownResults).then(
        (next) => {
          setPollError(undefined);
          setAnswer(next);
        },
        (err: unknown) => setPollError(err),
      );
    }, 1000);
    return () => clearTimeout(timer);
  }, [api, importId, running, answer]);

  async function choose(file: File | undefined) {
    setCsv(undefined);
    setPreview(undefined);
    setFileError(undefined);
    if (!file) return;
    if (file.size > deviceImportLimits.maxBytes) {
      setFileError(`The file has ${file.size} bytes; at most ${deviceImportLimits.maxBytes}`);
      return;
    }
    const text = await file.text();
    try {
      setPreview(parseDeviceImportCsv(text));
      setCsv(text);
    } catch (err) {
      setFileError(err instanceof DeviceImportFileError ? err.message : String(err));
    }
  }

  const job = answer?.job;
  return (
    <div className="card">
      <h2>Import devices</h2>
      <p className="muted">
        A CSV file with a header: <code>name</code> (required), <code>deviceId</code> (optional: derived from the name when empty, so
        importing the same file again registers nothing twice), <code>group</code> (a thing group, created when missing) and{' '}
        <code>attr.&lt;key&gt;</code> columns for attributes; at most {deviceImportLimits.maxRows.toLocaleString()} rows. A <code>csr</code>{' '}
        column may hold a device&apos;s own PEM certificate signing request (subject <code>CN=&lt;deviceId&gt;</code>
        ): its key stays on the device and the archive holds only its certificate; the other rows get an EC P-256 key made here.
      </p>
      {!job && (
        <form
          className="wide"
          onSubmit={start.run(async () => {
            if (!csv) throw new Error('Choose a CSV file first');
            setAnswer(await api.startDeviceImport(csv));
          })}
        >
          <label>
            CSV file{' '}
            <input aria-label="CSV file" type="file" accept=".csv,text/csv" onChange={(e) => void choose(e.target.files?.[0])} required />
          </label>
          {fileError && (
            <p role="alert" className="error">
              {fileError}
            </p>
          )}
          {preview && (
            <>
              <p data-testid="import-preview-summary">
                {preview.rows.length + preview.problems.length} rows
                {preview.problems.length > 0 ? `, ${preview.problems.length} with a problem (they will fail)` : ''}.
              </p>
              <table data-testid="import-preview">
                <caption>First rows</caption>
                <thead>
                  <tr>
                    <th>Row</th>
                    <th>Name</th>
                    <th>Device id</th>
                    <th>Group</th>
                    <th>Attributes</th>
                    <th>Key</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.slice(0, previewRows).map((r) => (
                    <tr key={r.row}>
                      <td>{r.row}</td>
                      <td>{r.name}</td>
                      <td>{r.deviceId ?? <span className="muted">from the name</span>}</td>
                      <td>{r.group ?? ''}</td>
                      <td>
                        {Object.entries(r.attributes)
                          .map(([k, v]) => `${k}=${v}`)
                          .join(', ')}
                      </td>
                      <td>{r.certificateSigningRequest ? "the device's (CSR)" : 'made here'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {preview.problems.slice(0, previewRows).map((p) => (
                <p key={p.row} className="error">
                  {p.message}
                </p>
              ))}
            </>
          )}
          <button type="submit" disabled={start.busy || !csv}>
            Start the import
          </button>
          <FormError error={start.error} />
        </form>
      )}
      {job && answer && (
        <>
          <p>
            <label>
              {job.status === 'running' ? 'Registering…' : `Import ${job.status}`}{' '}
              <progress data-testid="import-progress" value={job.counts.done} max={job.counts.total} />
            </label>{' '}
            <span data-testid="import-counts">
              {job.counts.done} of {job.counts.total} rows: {job.counts.created} created, {job.counts.existing} existing,{' '}
              {job.counts.failed} failed
            </span>
          </p>
          {job.status === 'interrupted' && (
            <p role="alert" className="error">
              The API task running this import stopped. Import the same file again to finish it: the rows done are then counted as existing.
            </p>
          )}
          <ErrorNotice error={pollError} />
          {job.status !== 'running' && (
            <p style={{ display: 'flex', gap: '.5rem', flexWrap: 'wrap', alignItems: 'center' }}>
              {job.credentialsAvailable && !downloaded && (
                <button
                  disabled={download.busy}
                  onClick={download.run(async () => {
                    saveBlob(`fleet-devices-${job.importId}.zip`, await api.deviceImportCredentials(job.importId));
                    setDownloaded(true);
                  })}
                >
                  Download credentials (ZIP)
                </button>
              )}
              {job.counts.created > 0 && (
                <span className="muted">
                  {downloaded
                    ? 'Downloaded. The private keys are no longer held by Fleet.'
                    : 'The private keys can be downloaded once, within the hour.'}
                </span>
              )}
              {job.groups.map((group) => (
                <RouteLink key={group} to={`${appPaths.devices}?group=${encodeURIComponent(group)}`} navigate={navigate}>
                  Devices of {group}
                </RouteLink>
              ))}
            </p>
          )}
          <FormError error={download.error} />
          {answer.results.length > 0 && (
            <table data-testid="import-results">
              <caption>Row results (failed first{answer.nextOffset !== undefined ? `, the first ${answer.results.length}` : ''})</caption>
              <thead>
                <tr>
                  <th>Row</th>
                  <th>Name</th>
                  <th>Device id</th>
                  <th>Outcome</th>
                </tr>
              </thead>
              <tbody>
                {answer.results.map((r) => (
                  <tr key={r.row}>
                    <td>{r.row}</td>
                    <td>{r.name}</td>
                    <td>{r.deviceId ?? ''}</td>
                    <td>{r.outcome === 'failed' ? `${r.code ?? 'failed'}: ${r.message ?? ''}` : r.outcome}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}
