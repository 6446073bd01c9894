/**
 * The forms that create data jobs: an export (devices or a thing group × a time range × metrics ×
 * a format) and an archive replay (admins: the archive's hours from..to). Each creates the job and
 * hands it to the list, which follows its progress.
 */
import { exportFormats, type DataJob, type ExportFormat } from '@fleet/core';
import { useState, type ReactNode } from 'react';
import type { Api } from '../api.ts';
import { FormError, useSubmit } from '../form-kit.tsx';

const hourMs = 3_600_000;

/** Epoch ms → the value of a `datetime-local` input (local time, to the minute). */
export function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** A `datetime-local` value (local time) → epoch ms; NaN for an empty or unreadable one. */
export const fromLocalInput = (value: string): number => (value ? new Date(value).getTime() : Number.NaN);

/** "a, b,,c " → ["a", "b", "c"]. */
export const listOf = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function Field(props: { label: string; children: ReactNode }) {
  return (
    <label>
      {props.label}
      {props.children}
    </label>
  );
}

/** A job's range as two local times; their labels name the job ("Export from"), which the page shows twice. */
function TimeRangeFields(props: { job: string; unit: string; from: [string, (v: string) => void]; to: [string, (v: string) => void] }) {
  return (
    <>
      {(['from', 'to'] as const).map((end) => {
        const [value, set] = props[end];
        return (
          <Field key={end} label={`${end === 'from' ? 'From' : 'To'}${props.unit}`}>
            <input aria-label={`${props.job} ${end}`} type="datetime-local" value={value} onChange={(e) => set(e.target.value)} required />
          </Field>
        );
      })}
    </>
  );
}

export function ExportForm(props: { api: Api; onCreated: (job: DataJob) => void }) {
  const now = Date.now();
  const [by, setBy] = useState<'devices' | 'group'>('devices');
  const [devices, setDevices] = useState('');
  const [group, setGroup] = useState('');
  const [from, setFrom] = useState(localInput(now - 24 * hourMs));
  const [to, setTo] = useState(localInput(now));
  const [metrics, setMetrics] = useState('');
  const [format, setFormat] = useState<ExportFormat>('csv');
  const { error, busy, run } = useSubmit();
  return (
    <div className="card">
      <h2>Export</h2>
      <form
        className="wide"
        onSubmit={run(async () => {
          const names = listOf(metrics);
          const job = await props.api.createDataJob({
            kind: 'export',
            ...(by === 'devices' ? { deviceIds: listOf(devices) } : { groupName: group.trim() }),
            from: fromLocalInput(from),
            // The minute typed is included whole: the range end is inclusive.
            to: fromLocalInput(to) + 59_999,
            ...(names.length > 0 ? { metrics: names } : {}),
            format,
          });
          props.onCreated(job);
        })}
      >
        <Field label="Export">
          <select aria-label="Export" value={by} onChange={(e) => setBy(e.target.value as 'devices' | 'group')}>
            <option value="devices">devices</option>
            <option value="group">a thing group</option>
          </select>
        </Field>
        {by === 'devices' ? (
          <Field label="Device ids (comma-separated)">
            <input aria-label="Device ids" value={devices} onChange={(e) => setDevices(e.target.value)} required />
          </Field>
        ) : (
          <Field label="Thing group">
            <input aria-label="Thing group" value={group} onChange={(e) => setGroup(e.target.value)} required />
          </Field>
        )}
        <TimeRangeFields job="Export" unit="" from={[from, setFrom]} to={[to, setTo]} />
        <Field label="Metrics (comma-separated; empty: all)">
          <input aria-label="Metrics" value={metrics} onChange={(e) => setMetrics(e.target.value)} />
        </Field>
        <Field label="Format">
          <select aria-label="Format" value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
            {exportFormats.map((f) => (
              <option key={f} value={f}>
                {f === 'jsonl' ? 'JSON Lines' : f.toUpperCase()}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={busy}>
          Start export
        </button>
      </form>
      <FormError error={error} />
    </div>
  );
}

export function ReplayForm(props: { api: Api; onCreated: (job: DataJob) => void }) {
  const hour = Math.floor(Date.now() / hourMs) * hourMs;
  const [from, setFrom] = useState(localInput(hour - 24 * hourMs));
  const [to, setTo] = useState(localInput(hour));
  const { error, busy, run } = useSubmit();
  return (
    <div className="card">
      <h2>Archive replay</h2>
      <p className="muted">
        Reads the raw archive&apos;s hours back into the telemetry table and the rollups (e.g. to rebuild a fresh stack); readings already
        stored are not stored twice.
      </p>
      <form
        className="inline"
        onSubmit={run(async () => {
          const hourOf = (value: string) => Math.floor(fromLocalInput(value) / hourMs) * hourMs;
          props.onCreated(await props.api.createDataJob({ kind: 'replay', from: hourOf(from), to: hourOf(to) }));
        })}
      >
        <TimeRangeFields job="Replay" unit=" hour" from={[from, setFrom]} to={[to, setTo]} />
        <button type="submit" disabled={busy}>
          Replay the archive
        </button>
      </form>
      <FormError error={error} />
    </div>
  );
}
