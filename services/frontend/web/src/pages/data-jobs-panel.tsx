/**
 * Data jobs: exports, imports and archive replays with their progress, refreshed soon while any is
 * queued or running; a finished export's download link (asked for afresh when the list carries
 * none: presigned links expire), a finished import's report (accepted, duplicates, rejected with
 * the first errors by line).
 */
import type { DataJob, DataJobInput, DataJobPage } from '@fleet/core';
import { useState } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { timeAgo } from '../format.ts';

/** While a job is under way its progress changes: the list is asked again soon. */
export const jobsUnderWay = (page: DataJobPage) => page.jobs.some((j) => j.status === 'queued' || j.status === 'running');

const day = (ms: number) => new Date(ms).toLocaleString();

/** What a job works on: "csv of sensor-1, sensor-2 from … to …". */
export function describeInput(input: DataJobInput): string {
  if (input.kind === 'export') {
    const what = input.groupName ? `group ${input.groupName}` : (input.deviceIds ?? []).join(', ');
    const metrics = input.metrics ? ` (${input.metrics.join(', ')})` : '';
    return `${input.format} of ${what}${metrics}, ${day(input.from)} → ${day(input.to)}`;
  }
  if (input.kind === 'import') return `${input.format} file for ${input.deviceId} (${input.bytes.toLocaleString()} bytes)`;
  return `archive hours ${day(input.from)} → ${day(input.to)}`;
}

function Progress({ job }: { job: DataJob }) {
  const { done, total, unit } = job.progress;
  if (total !== undefined && total > 0) {
    return (
      <span>
        <progress value={done} max={total} aria-label={`Progress of job ${job.id}`} /> {Math.floor((100 * done) / total)}%
      </span>
    );
  }
  return (
    <span>
      {done.toLocaleString()} {unit}
    </span>
  );
}

function DownloadLink({ api, job }: { api: Api; job: DataJob }) {
  const [fresh, setFresh] = useState<string>();
  const [error, setError] = useState<unknown>();
  const url = fresh ?? job.result?.downloadUrl;
  if (url) {
    return (
      <a href={url} download data-testid={`download-${job.id}`}>
        Download{job.result?.bytes !== undefined ? ` (${job.result.bytes.toLocaleString()} bytes)` : ''}
      </a>
    );
  }
  return (
    <>
      <button className="secondary" onClick={() => void api.dataJob(job.id).then((j) => setFresh(j.result?.downloadUrl), setError)}>
        Get the download link
      </button>
      <ErrorNotice error={error} />
    </>
  );
}

function Report({ job }: { job: DataJob }) {
  const r = job.result;
  if (!r) return null;
  return (
    <div data-testid={`report-${job.id}`}>
      {r.accepted !== undefined && (
        <span>
          accepted <strong data-testid="report-accepted">{r.accepted}</strong>, duplicates{' '}
          <strong data-testid="report-duplicates">{r.duplicates ?? 0}</strong>, rejected{' '}
          <strong data-testid="report-rejected">{r.rejected ?? 0}</strong>
        </span>
      )}
      {r.readings !== undefined && r.accepted === undefined && <span>{r.readings.toLocaleString()} readings</span>}
      {r.errors && r.errors.length > 0 && (
        <ul className="muted" data-testid="report-errors">
          {r.errors.map((e) => (
            <li key={e.line}>
              line {e.line}: {e.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function DataJobList(props: { api: Api; page: DataJobPage | undefined; error: unknown }) {
  const { page } = props;
  return (
    <div className="card">
      <h2>Data jobs</h2>
      <ErrorNotice error={props.error} />
      {!page && props.error === undefined && <p className="muted">Loading…</p>}
      {page && page.jobs.length === 0 && <p className="muted">No export, import or replay yet.</p>}
      {page && page.jobs.length > 0 && (
        <div className="table-scroll">
          <table data-testid="data-job-list">
            <thead>
              <tr>
                <th>Job</th>
                <th>What</th>
                <th>State</th>
                <th>Progress</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {page.jobs.map((job) => (
                <tr key={job.id} data-testid={`data-job-${job.id}`} data-kind={job.input.kind} data-status={job.status}>
                  <td>
                    <strong>{job.input.kind}</strong>
                    <div className="muted">
                      {job.createdBy}, {timeAgo(job.createdAt)}
                    </div>
                  </td>
                  <td>{describeInput(job.input)}</td>
                  <td>
                    <span className={`badge state-${job.status}`}>{job.status}</span>
                    {job.error && <div className="error">{job.error}</div>}
                  </td>
                  <td>
                    <Progress job={job} />
                  </td>
                  <td>
                    {job.status === 'succeeded' && job.input.kind === 'export' && <DownloadLink api={props.api} job={job} />}
                    <Report job={job} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
