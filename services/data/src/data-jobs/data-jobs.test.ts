/**
 * Data jobs through the Data Service's HTTP API inside the process (dynalite, s3rver, the runner
 * polling): who may do what, the import's upload and start, its row report and idempotence, the
 * export of what was imported through its download link, and the replay of the archive into a
 * recreated telemetry table.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, waitUntilTableExists, waitUntilTableNotExists } from '@aws-sdk/client-dynamodb';
import { telemetryTable, type DataJob, type DataJobInput, type StoredReading } from '@fleet/core';
import { createTableInput } from '@fleet/local-cloud/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../emf.ts';
import { createDataService, type DataService } from '../service.ts';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { createMemoryQueue, type MemoryQueue } from '../testing/memory-queue.ts';
import { createTestCallers, type TestCallers } from '../testing/test-callers.ts';
import { waitFor } from '../testing/wait-for.ts';

const logger = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
let aws: LocalAws;
let queue: MemoryQueue;
let service: DataService;
let callers: TestCallers;

beforeAll(async () => {
  callers = await createTestCallers();
  aws = await startLocalAws();
  queue = createMemoryQueue();
  service = createDataService({
    logger,
    verifier: callers.verifier,
    dynamo: aws.dynamo,
    s3: aws.s3,
    queue,
    tables: aws.tableNames,
    bucket: aws.bucket,
    dataJobs: { pollMs: 50, heartbeatMs: 200 },
    metrics: createMetrics({ namespace: 'Fleet', service: 'data', flushIntervalMs: 0, write: () => {} }),
    consumer: { waitTimeSeconds: 1, flushIntervalMs: 50, retryDelaySeconds: () => 0 },
  });
  service.start();
});
afterAll(async () => {
  await service.stop();
  await aws.close();
});

const call = async (method: 'GET' | 'POST', url: string, groups: string[], payload?: unknown) =>
  service.app.inject({
    method,
    url,
    headers: await callers.headers(groups),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function created(input: DataJobInput, groups = ['admin']): Promise<DataJob> {
  const res = await call('POST', '/data/data-jobs', groups, input);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<DataJob>();
}

async function finished(id: string): Promise<DataJob> {
  let job: DataJob | undefined;
  await waitFor(
    `data job ${id} to finish`,
    async () => {
      job = (await call('GET', `/data/data-jobs/${id}`, ['operator'])).json<DataJob>();
      return job.status === 'succeeded' || job.status === 'failed';
    },
    60_000,
  );
  return job!;
}

/** Creates an import, PUTs the file to its presigned link, starts it and waits for its outcome. */
async function imported(deviceId: string, format: 'csv' | 'jsonl', text: string): Promise<DataJob> {
  const job = await created({ kind: 'import', deviceId, format, bytes: Buffer.byteLength(text) }, ['operator']);
  expect(job.status).toBe('awaiting-upload');
  const put = await fetch(job.upload!.url, { method: 'PUT', headers: { 'content-type': job.upload!.contentType }, body: text });
  expect(put.status).toBe(200);
  const start = await call('POST', `/data/data-jobs/${job.id}/start`, ['operator']);
  expect(start.statusCode, start.body).toBe(200);
  expect(start.json<DataJob>().status).toBe('queued');
  return finished(job.id);
}

const allReadings = async (deviceId: string, from: number, to: number) => {
  const out: StoredReading[] = [];
  for await (const r of service.telemetry.query({ deviceId, from, to })) out.push(r);
  return out;
};

describe('data job routes', () => {
  it('answers who may list, create and start jobs', async () => {
    expect((await call('GET', '/data/data-jobs', ['viewer'])).statusCode).toBe(403);
    expect((await call('GET', '/data/data-jobs', ['operator'])).statusCode).toBe(200);
    const replay = await call('POST', '/data/data-jobs', ['operator'], { kind: 'replay', from: 0, to: 1 });
    expect(replay.statusCode).toBe(403);
    expect(replay.json()).toMatchObject({ code: 'Forbidden', message: expect.stringContaining('replayArchive') });
    expect(
      (await call('POST', '/data/data-jobs', ['viewer'], { kind: 'export', deviceIds: ['a'], from: 0, to: 1, format: 'csv' })).statusCode,
    ).toBe(403);
  });

  it('refuses a caller granted only some thing groups: jobs read and write the whole fleet', async () => {
    for (const [method, url] of [
      ['GET', '/data/data-jobs'],
      ['POST', '/data/data-jobs'],
      ['GET', '/data/data-jobs/any'],
    ] as const) {
      const res = await call(method, url, ['operator', 'thing-group:line-1'], method === 'POST' ? { kind: 'export' } : undefined);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toMatchObject({ code: 'Forbidden' });
    }
  });

  it('refuses inputs the schema cannot judge with { code, message }', async () => {
    const backwards = await call('POST', '/data/data-jobs', ['operator'], {
      kind: 'export',
      deviceIds: ['a'],
      from: 5,
      to: 1,
      format: 'csv',
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({ code: 'ValidationError', message: '"from" (5) is after "to" (1)' });
    const both = await call('POST', '/data/data-jobs', ['operator'], { kind: 'export', from: 0, to: 1, format: 'csv' });
    expect(both.json()).toMatchObject({ code: 'ValidationError', message: expect.stringContaining('exactly one') });
    const unknownKind = await call('POST', '/data/data-jobs', ['operator'], { kind: 'delete-everything' });
    expect(unknownKind.statusCode).toBe(400);
  });

  it('answers 404 JobNotFound for an unknown job and 409 JobStateConflict when starting a job that is not awaiting its upload', async () => {
    const missing = await call('GET', '/data/data-jobs/nosuchjob-0', ['operator']);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'JobNotFound' });
    const exportJob = await created({ kind: 'export', deviceIds: ['nobody'], from: 0, to: 1, format: 'jsonl' });
    const start = await call('POST', `/data/data-jobs/${exportJob.id}/start`, ['operator']);
    expect(start.statusCode).toBe(409);
    expect(start.json()).toMatchObject({ code: 'JobStateConflict' });
  });

  it('refuses to start an import whose file is missing or larger than declared (400)', async () => {
    const job = await created({ kind: 'import', deviceId: 'imp-size', format: 'csv', bytes: 10 }, ['operator']);
    const missing = await call('POST', `/data/data-jobs/${job.id}/start`, ['operator']);
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ message: string }>().message).toContain('No file was uploaded');
    await fetch(job.upload!.url, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'ts,t\n1700000000000,1\n' });
    const large = await call('POST', `/data/data-jobs/${job.id}/start`, ['operator']);
    expect(large.statusCode).toBe(400);
    expect(large.json<{ message: string }>().message).toBe('The uploaded file is 21 bytes, the import declared 10');
  });
});

describe('historical import', () => {
  const t0 = Date.UTC(2025, 0, 1);
  const future = Date.now() + 3_600_000;

  it('validates row by row, reports the reasons, stores the rest, and a second run finds only duplicates', async () => {
    const csv = [
      'ts,seq,temperature,humidity',
      `${t0},0,21.5,40`,
      '2025-01-01T00:01:00Z,1,21.6,',
      `${t0 + 120_000},2,abc,40`,
      `${future},3,1,1`,
      `${t0 + 180_000},-1,1,1`,
      `${t0 + 240_000},4,,`,
      `${t0 + 300_000},5,1e999,1`,
      `${t0 + 360_000},6,22,41`,
      '',
    ].join('\n');
    const first = await imported('imp-csv', 'csv', csv);
    expect(first.status).toBe('succeeded');
    expect(first.result).toMatchObject({ accepted: 3, duplicates: 0, rejected: 5 });
    expect(first.result?.errors?.map((e) => e.line)).toEqual([4, 5, 6, 7, 8]);
    expect(first.result?.errors?.[0]?.reason).toBe('metric "temperature" must be a finite number, received "abc"');
    expect(first.result?.errors?.[1]?.reason).toContain('in the future');
    expect(first.progress).toMatchObject({ unit: 'bytes', done: Buffer.byteLength(csv), total: Buffer.byteLength(csv) });
    expect(await allReadings('imp-csv', t0, t0 + 3_600_000)).toEqual([
      { ts: t0, seq: 0, values: { temperature: 21.5, humidity: 40 } },
      { ts: t0 + 60_000, seq: 1, values: { temperature: 21.6 } },
      { ts: t0 + 360_000, seq: 6, values: { temperature: 22, humidity: 41 } },
    ]);
    const again = await imported('imp-csv', 'csv', csv);
    expect(again.result).toMatchObject({ accepted: 0, duplicates: 3, rejected: 5 });
  });

  it('imports JSON Lines, refusing rows of another device, and a CSV without seq gets seq 0', async () => {
    const jsonl = [
      JSON.stringify({ ts: t0, seq: 7, temperature: 1 }),
      JSON.stringify({ deviceId: 'imp-jsonl', ts: new Date(t0 + 1000).toISOString(), seq: 8, temperature: 2 }),
      JSON.stringify({ deviceId: 'someone-else', ts: t0 + 2000, seq: 9, temperature: 3 }),
      '[1,2]',
    ].join('\n');
    const job = await imported('imp-jsonl', 'jsonl', jsonl);
    expect(job.result).toMatchObject({ accepted: 2, rejected: 2 });
    expect(job.result?.errors?.[0]).toEqual({ line: 3, reason: '"deviceId" is "someone-else", this import is for "imp-jsonl"' });
    const noSeq = await imported('imp-noseq', 'csv', `ts,temperature\n${t0},5\n`);
    expect(noSeq.result).toMatchObject({ accepted: 1 });
    expect(await allReadings('imp-noseq', t0, t0)).toEqual([{ ts: t0, seq: 0, values: { temperature: 5 } }]);
  });

  it('exports what was imported, line for line, through a presigned download link', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) =>
      JSON.stringify({ deviceId: 'round-trip', ts: t0 + i * 60_000, seq: i, temperature: i / 10 }),
    );
    const job = await imported('round-trip', 'jsonl', `${lines.join('\n')}\n`);
    expect(job.result).toMatchObject({ accepted: 2500, rejected: 0 });
    const exportJob = await created({ kind: 'export', deviceIds: ['round-trip'], from: t0, to: t0 + 2500 * 60_000, format: 'jsonl' }, [
      'operator',
    ]);
    const done = await finished(exportJob.id);
    expect(done).toMatchObject({ status: 'succeeded', result: { readings: 2500 } });
    const download = await fetch(done.result!.downloadUrl!);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="fleet-export-${exportJob.id}.jsonl"`);
    expect((await download.text()).trimEnd().split('\n')).toEqual(lines);
  });
});

describe('archive replay', () => {
  it('rebuilds a deleted telemetry table from the archive to the same counts', async () => {
    const receivedAt = Date.now();
    const devices = ['rp-1', 'rp-2', 'rp-3'];
    const sent = devices.flatMap((deviceId) =>
      Array.from({ length: 40 }, (_, i) => ({ deviceId, ts: receivedAt - 600_000 + i * 1000, seq: i, temperature: i })),
    );
    for (const { deviceId, ...payload } of sent) {
      const body = JSON.stringify({
        kind: 'telemetry',
        payload: Buffer.from(JSON.stringify(payload)).toString('base64'),
        deviceId,
        clientId: deviceId,
        receivedAt,
        messageId: randomUUID(),
      });
      queue.send(body);
      // A redelivery in another batch lands in a second archive object.
      if (payload.seq === 0) queue.send(body.replace(/"messageId":"[^"]+"/, `"messageId":"${randomUUID()}"`));
    }
    await waitFor('the queue to drain', () => queue.size === 0, 30_000);
    const count = async () => (await Promise.all(devices.map((d) => allReadings(d, receivedAt - 3_600_000, receivedAt)))).flat().length;
    const before = await count();
    expect(before).toBe(sent.length);

    const client = aws.dynamo;
    // A table is DELETING, then CREATING, for a moment (on AWS for longer): a read then is ResourceNotFound.
    const waiting = { client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 };
    await client.send(new DeleteTableCommand({ TableName: telemetryTable.id }));
    await waitUntilTableNotExists(waiting, { TableName: telemetryTable.id });
    await client.send(new CreateTableCommand(createTableInput(telemetryTable)));
    await waitUntilTableExists(waiting, { TableName: telemetryTable.id });
    expect(await count()).toBe(0);

    const replay = await created({ kind: 'replay', from: receivedAt - 3_600_000, to: receivedAt });
    const done = await finished(replay.id);
    expect(done.status).toBe('succeeded');
    expect(done.result).toMatchObject({
      accepted: sent.length,
      duplicates: devices.length,
      rejected: 0,
      readings: sent.length + devices.length,
    });
    expect(done.progress.done).toBeGreaterThan(0);
    expect(await count()).toBe(before);
  });
});
