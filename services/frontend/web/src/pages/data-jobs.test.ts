/**
 * What the Data page decides without a browser: when the job list is asked again soon, what a
 * job's line says, the import format a file's name gives, the times its forms send.
 */
import type { DataJob } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { fromLocalInput, listOf, localInput } from './data-job-forms.tsx';
import { describeInput, jobsUnderWay } from './data-jobs-panel.tsx';
import { formatOfFile } from './import-form.tsx';

const job = (status: DataJob['status']): DataJob => ({
  id: `job-${status}-0001`,
  input: { kind: 'replay', from: 0, to: 3_600_000 },
  status,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'alice',
  updatedAt: '2026-01-01T00:00:00.000Z',
  progress: { done: 0, unit: 'objects' },
});

describe('the Data page', () => {
  it('polls the jobs soon only while one is queued or running', () => {
    expect(jobsUnderWay({ jobs: [job('succeeded'), job('failed'), job('awaiting-upload')] })).toBe(false);
    expect(jobsUnderWay({ jobs: [job('succeeded'), job('queued')] })).toBe(true);
    expect(jobsUnderWay({ jobs: [job('running')] })).toBe(true);
  });

  it("says what a job works on: an export's devices or group and metrics, an import's device and size", () => {
    expect(describeInput({ kind: 'export', deviceIds: ['a', 'b'], from: 0, to: 1, metrics: ['t'], format: 'csv' })).toMatch(
      /^csv of a, b \(t\), .+ → .+$/,
    );
    expect(describeInput({ kind: 'export', groupName: 'pumps', from: 0, to: 1, format: 'jsonl' })).toMatch(/^jsonl of group pumps, /);
    expect(describeInput({ kind: 'import', deviceId: 'dev-1', format: 'csv', bytes: 1234 })).toBe(
      `csv file for dev-1 (${(1234).toLocaleString()} bytes)`,
    );
  });

  it('reads the import format from the file name', () => {
    expect(formatOfFile('history.jsonl')).toBe('jsonl');
    expect(formatOfFile('HISTORY.NDJSON')).toBe('jsonl');
    expect(formatOfFile('history.csv')).toBe('csv');
  });

  it('sends the local time typed, to the minute, and the listed names without blanks', () => {
    const minute = Date.UTC(2026, 2, 29, 1, 30); // a daylight-saving change in Europe: the offset of that instant is used
    expect(fromLocalInput(localInput(minute))).toBe(minute);
    expect(fromLocalInput(localInput(minute + 45_000))).toBe(minute);
    expect(Number.isNaN(fromLocalInput(''))).toBe(true);
    expect(listOf(' a, b,,c ')).toEqual(['a', 'b', 'c']);
  });
});
