/**
 * Data jobs end to end on the local platform (real processes, real sockets): an operator imports a
 * device's history (a file PUT with the presigned link the job hands out, after the browser's CORS
 * preflight from the web app's origin), every accepted row is stored once and a second run of the
 * same file finds only duplicates; the export of that range downloads through its presigned link
 * and equals the imported file line for line. The jobs are called at the gateway's `/data` route
 * (the API Service relays the same paths under `/api`).
 */
import type { DataJob, DataJobInput } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allStoredReadings, createUser, type FleetUser } from './fleet-user.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

describe.skipIf(deployedEndpointsFile)('data jobs', () => {
  let platform: PlatformProcess;
  let operator: FleetUser;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    operator = await createUser(platform);
  }, 120_000);
  afterAll(() => platform?.stop(), 60_000);

  const finished = async (id: string): Promise<DataJob> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const job = await operator.api.call<DataJob>('GET', `/data/data-jobs/${id}`);
      if (job.status === 'succeeded' || job.status === 'failed') return job;
      if (Date.now() > deadline) throw new Error(`data job ${id} still ${job.status}: ${JSON.stringify(job.progress)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  const runImport = async (deviceId: string, text: string): Promise<DataJob> => {
    const input: DataJobInput = { kind: 'import', deviceId, format: 'jsonl', bytes: Buffer.byteLength(text) };
    const job = await operator.api.call<DataJob>('POST', '/data/data-jobs', input);
    expect(job.status).toBe('awaiting-upload');
    const upload = job.upload!;
    // What a browser on the web app sends before its PUT.
    const preflight = await fetch(upload.url, {
      method: 'OPTIONS',
      headers: {
        origin: new URL(platform.endpoints.gatewayUrl).origin,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(new URL(platform.endpoints.gatewayUrl).origin);
    const put = await fetch(upload.url, { method: 'PUT', headers: { 'content-type': upload.contentType }, body: text });
    expect(put.status).toBe(200);
    expect((await operator.api.call<DataJob>('POST', `/data/data-jobs/${job.id}/start`)).status).toBe('queued');
    return finished(job.id);
  };

  it('imports a history once, finds duplicates on a second run, and exports it back line for line', async () => {
    const { device } = await operator.api.registerDevice('history', 'history-e2e');
    const deviceId = device.deviceId;
    const count = 2000;
    const base = Date.now() - 3 * 86_400_000;
    const lines = Array.from({ length: count }, (_, i) =>
      JSON.stringify({ deviceId, ts: base + i * 60_000, seq: i, temperature: 20 + (i % 50) / 10, humidity: i % 97 }),
    );
    const file = `${lines.join('\n')}\n`;
    const from = base;
    const to = base + (count - 1) * 60_000;

    const first = await runImport(deviceId, file);
    expect(first).toMatchObject({ status: 'succeeded', result: { accepted: count, duplicates: 0, rejected: 0 } });
    const stored = await allStoredReadings(operator, deviceId, from, to);
    expect(stored.length).toBe(count);
    expect(new Set(stored.map((r) => r.seq)).size).toBe(count);

    const second = await runImport(deviceId, file);
    expect(second).toMatchObject({ status: 'succeeded', result: { accepted: 0, duplicates: count, rejected: 0 } });
    expect((await allStoredReadings(operator, deviceId, from, to)).length).toBe(count);

    const exportInput: DataJobInput = { kind: 'export', deviceIds: [deviceId], from, to, format: 'jsonl' };
    const exportJob = await finished((await operator.api.call<DataJob>('POST', '/data/data-jobs', exportInput)).id);
    expect(exportJob).toMatchObject({ status: 'succeeded', result: { readings: count } });
    const download = await fetch(exportJob.result!.downloadUrl!);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe(file);

    const listed = await operator.api.call<{ jobs: DataJob[] }>('GET', '/data/data-jobs?limit=3');
    expect(listed.jobs.map((j) => j.id)).toEqual([exportJob.id, second.id, first.id]);
  }, 300_000);
});
