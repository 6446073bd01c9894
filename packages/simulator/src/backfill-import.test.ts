import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataJob, DataJobInput } from '@fleet/core';
import { backfillDevices, describeOutcome } from './backfill-import.ts';
import { planBackfill } from './backfill-plan.ts';
import { createDeviceSignals } from './signals.ts';

/** What the upload link received: the bytes and the content type of each PUT. */
const uploads: { path: string; contentType: string | undefined; body: string }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    uploads.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString() });
    res.writeHead(200).end();
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A job service that runs each job for two polls, then reports what `result` says for it. */
function fakeJobs(result: (input: DataJobInput) => DataJob['result'], failWith?: string) {
  const jobs = new Map<string, { job: DataJob; polls: number }>();
  const job = (id: string, input: DataJobInput, status: DataJob['status']): DataJob => ({
    id,
    input,
    status,
    createdAt: new Date().toISOString(),
    createdBy: 'simulator',
    updatedAt: new Date().toISOString(),
    progress: { done: 0, unit: 'rows' },
  });
  return {
    createDataJob: (input: DataJobInput) => {
      const id = `job-${jobs.size + 1}0000000`;
      const created = { ...job(id, input, 'awaiting-upload'), upload: { url: `${base}/${id}`, contentType: 'text/csv', expiresAt: '' } };
      jobs.set(id, { job: created, polls: 0 });
      return Promise.resolve(created);
    },
    startDataJob: (id: string) => Promise.resolve(job(id, jobs.get(id)!.job.input, 'queued')),
    dataJob: (id: string) => {
      const entry = jobs.get(id)!;
      entry.polls += 1;
      if (entry.polls < 2) return Promise.resolve(job(id, entry.job.input, 'running'));
      const done = job(id, entry.job.input, failWith ? 'failed' : 'succeeded');
      return Promise.resolve({ ...done, result: result(entry.job.input), ...(failWith ? { error: failWith } : {}) });
    },
  };
}

describe('backfillDevices', () => {
  const plan = planBackfill({ durationMs: 3_600_000, rate: 1 / 60, until: Date.UTC(2026, 0, 1) });

  it('uploads each device file with the link content type, starts the job and reports its counts', async () => {
    uploads.length = 0;
    const api = fakeJobs(() => ({ accepted: 59, duplicates: 0, rejected: 1, errors: [{ line: 3, reason: 'bad' }] }));
    const seen: string[] = [];
    const outcomes = await backfillDevices({
      api,
      plan,
      devices: ['a-1', 'a-2'].map((deviceId, i) => ({ deviceId, signals: createDeviceSignals(i + 1) })),
      onOutcome: (o) => seen.push(o.deviceId),
      onProgress: (job) => seen.push(job.status),
      pollMs: 1,
    });
    expect(seen).toEqual(['running', 'succeeded', 'a-1', 'running', 'succeeded', 'a-2']);
    expect(outcomes.map(({ ms: _ms, ...o }) => o)).toEqual(
      ['a-1', 'a-2'].map((deviceId) => ({ deviceId, rows: 60, accepted: 59, duplicates: 0, rejected: 1, firstRejection: 'line 3: bad' })),
    );
    expect(uploads.map((u) => [u.path, u.contentType, u.body.trimEnd().split('\n').length])).toEqual([
      ['/job-10000000', 'text/csv', 61],
      ['/job-20000000', 'text/csv', 61],
    ]);
    expect(describeOutcome(outcomes[0]!)).toMatch(
      /^ {2}a-1: 60 rows sent, 59 accepted, 0 duplicates, 1 rejected in \d+\.\d s \(first: line 3: bad\)$/,
    );
  });

  it('reports a failed job with its reason', async () => {
    const api = fakeJobs(() => undefined, 'the file is not CSV');
    const [outcome] = await backfillDevices({ api, plan, devices: [{ deviceId: 'b-1', signals: createDeviceSignals(1) }], pollMs: 1 });
    expect(outcome).toMatchObject({ deviceId: 'b-1', rows: 60, accepted: 0, error: 'the file is not CSV' });
    expect(describeOutcome(outcome!)).toMatch(/; job failed: the file is not CSV$/);
  });
});
