/**
 * Exports into the local S3 (s3rver) from the real telemetry store on dynalite: the three formats
 * read back as written, and a million readings stream through without the heap growing with them (measured after forced
 * collections: live memory, not garbage; s3rver runs in this process too, so its buffers count).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import parquet from '@dsnp/parquetjs';
import { newJob } from './job-store.ts';
import { retentionLimits, type DataJob, type ExportJobInput, type Reading } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetryStore, type StoredReading, type TelemetryStore } from '../telemetry-store.ts';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { groupDevices } from '../group-membership.ts';
import { exportKey, runExport } from './exporter.ts';
import type { JobContext } from './job-runner.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let aws: LocalAws;
let telemetry: TelemetryStore;
const t0 = Date.UTC(2026, 10, 1, 12);
const readings: Reading[] = [
  { deviceId: 'exp-a', ts: t0, seq: 0, values: { temperature: 21.5, humidity: 40 } },
  { deviceId: 'exp-a', ts: t0 + 60_000, seq: 1, values: { temperature: -0.1 } },
  { deviceId: 'exp-b', ts: t0 + 30_000, seq: 5, values: { humidity: 1e-7 } },
];

beforeAll(async () => {
  aws = await startLocalAws();
  telemetry = createTelemetryStore({ client: aws.dynamo, tableName: aws.tableNames.telemetry, logger: pino({ level: 'silent' }) });
  await telemetry.write(readings);
});
afterAll(() => aws.close());

function contextOf(input: ExportJobInput): JobContext & { readonly seen: number[] } {
  const seen: number[] = [];
  const job: DataJob = newJob(input, 'tester', Date.now());
  return { job, signal: new AbortController().signal, progress: (done) => seen.push(done), seen };
}

async function exported(input: ExportJobInput, store: Pick<TelemetryStore, 'query'> = telemetry) {
  const context = contextOf(input);
  const outcome = await runExport({ s3: aws.s3, bucket: aws.bucket, telemetry: store }, context, input);
  const object = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: exportKey(context.job.id, input.format) }));
  return { outcome, bytes: Buffer.from(await object.Body!.transformToByteArray()), context };
}

const range = { from: t0, to: t0 + 3_600_000 };

describe('export', () => {
  it('writes JSON Lines, one reading a line as the import reads it', async () => {
    const { outcome, bytes } = await exported({ kind: 'export', deviceIds: ['exp-a', 'exp-b'], ...range, format: 'jsonl' });
    expect(outcome).toEqual({ status: 'succeeded', result: { readings: 3, bytes: bytes.length } });
    expect(
      bytes
        .toString()
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      { deviceId: 'exp-a', ts: t0, seq: 0, temperature: 21.5, humidity: 40 },
      { deviceId: 'exp-a', ts: t0 + 60_000, seq: 1, temperature: -0.1 },
      { deviceId: 'exp-b', ts: t0 + 30_000, seq: 5, humidity: 1e-7 },
    ]);
  });

  it('reads no further back than data can be kept: a range from 1970 does not cost a Query per day since then', async () => {
    const asked: number[] = [];
    const store: Pick<TelemetryStore, 'query'> = {
      query: (q) => {
        asked.push(q.from);
        return telemetry.query(q);
      },
    };
    const { outcome } = await exported({ kind: 'export', deviceIds: ['exp-a'], from: 0, to: range.to, format: 'jsonl' }, store);
    expect(outcome).toMatchObject({ status: 'succeeded', result: { readings: 2 } });
    expect(Math.min(...asked)).toBeGreaterThanOrEqual(Date.now() - (retentionLimits.maxDays + 2) * 86_400_000);
    // Still a Query per day of the longest retention (3,650): 5-8 s on this 2-core machine.
  }, 60_000);

  it('writes CSV with the metric columns it discovers, an empty cell where a reading lacks one', async () => {
    const { bytes } = await exported({ kind: 'export', deviceIds: ['exp-a', 'exp-b'], ...range, format: 'csv' });
    expect(bytes.toString()).toBe(
      [
        'deviceId,ts,seq,humidity,temperature',
        `exp-a,${t0},0,40,21.5`,
        `exp-a,${t0 + 60_000},1,,-0.1`,
        `exp-b,${t0 + 30_000},5,1e-7,`,
        '',
      ].join('\n'),
    );
  });

  it('keeps only the named metrics and skips readings that have none of them', async () => {
    const { outcome, bytes } = await exported({
      kind: 'export',
      deviceIds: ['exp-a', 'exp-b'],
      ...range,
      metrics: ['temperature'],
      format: 'csv',
    });
    expect(outcome).toMatchObject({ result: { readings: 2 } });
    expect(bytes.toString()).toBe(['deviceId,ts,seq,temperature', `exp-a,${t0},0,21.5`, `exp-a,${t0 + 60_000},1,-0.1`, ''].join('\n'));
  });

  it('writes Parquet with deviceId, ts (timestamp millis), seq and an optional double per metric', async () => {
    const { bytes } = await exported({ kind: 'export', deviceIds: ['exp-a', 'exp-b'], ...range, format: 'parquet' });
    const reader = await parquet.ParquetReader.openBuffer(bytes);
    const cursor = reader.getCursor();
    const rows: unknown[] = [];
    for (let row = await cursor.next(); row; row = await cursor.next()) rows.push(row);
    await reader.close();
    expect(rows).toEqual([
      { deviceId: 'exp-a', ts: new Date(t0), seq: 0n, humidity: 40, temperature: 21.5 },
      // An absent optional value reads back as null.
      { deviceId: 'exp-a', ts: new Date(t0 + 60_000), seq: 1n, humidity: null, temperature: -0.1 },
      { deviceId: 'exp-b', ts: new Date(t0 + 30_000), seq: 5n, humidity: 1e-7, temperature: null },
    ]);
  });

  it('exports every thing of a thing group, following ListThingsInThingGroup pages', async () => {
    const asked: (string | undefined)[] = [];
    const iot = {
      send: async (command: { input: { thingGroupName?: string; nextToken?: string } }) => {
        asked.push(command.input.nextToken);
        return command.input.nextToken === undefined ? { things: ['exp-b'], nextToken: 'page-2' } : { things: ['exp-a'] };
      },
    } as unknown as Parameters<typeof groupDevices>[0];
    expect(await groupDevices(iot, 'plant')).toEqual(['exp-a', 'exp-b']);
    expect(asked).toEqual([undefined, 'page-2']);
    const input: ExportJobInput = { kind: 'export', groupName: 'plant', ...range, format: 'jsonl' };
    const outcome = await runExport({ s3: aws.s3, bucket: aws.bucket, telemetry, iot }, contextOf(input), input);
    expect(outcome).toMatchObject({ status: 'succeeded', result: { readings: 3 } });
  });

  it('stops when its job is aborted (a lost lease) instead of waiting on the aborted upload', async () => {
    const endless: Pick<TelemetryStore, 'query'> = {
      async *query() {
        for (let i = 0; ; i++) yield { ts: t0 + i, seq: i, values: { temperature: i } };
      },
    };
    const input: ExportJobInput = { kind: 'export', deviceIds: ['endless'], ...range, format: 'jsonl' };
    const controller = new AbortController();
    const context = { ...contextOf(input), signal: controller.signal };
    setTimeout(() => controller.abort(new Error('lease lost')), 300);
    await expect(runExport({ s3: aws.s3, bucket: aws.bucket, telemetry: endless }, context, input)).rejects.toThrow();
  });

  it('streams a million readings into S3 without the heap growing with them', async () => {
    const devices = 10;
    const perDevice = 100_000;
    // A generated store: each device's readings made as the exporter pulls them, as the DynamoDB pages are.
    const generated: Pick<TelemetryStore, 'query'> = {
      async *query({ deviceId }) {
        const offset = Number(deviceId.slice(4)) * perDevice;
        for (let i = 0; i < perDevice; i++) {
          yield {
            ts: t0 + i * 1000,
            seq: offset + i,
            values: { temperature: 20 + (i % 100) / 10, humidity: 40 + (i % 7) },
          } satisfies StoredReading;
        }
      },
    };
    // What stays alive (after a full collection), not garbage waiting for one: every 500 ms during the export.
    const memory = () => {
      collectGarbage();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = memory();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, memory())), 500);
    const started = performance.now();
    const input: ExportJobInput = {
      kind: 'export',
      deviceIds: Array.from({ length: devices }, (_, i) => `gen-${i}`),
      ...range,
      format: 'jsonl',
    };
    const context = contextOf(input);
    const outcome = await runExport({ s3: aws.s3, bucket: aws.bucket, telemetry: generated }, context, input);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    expect(outcome).toMatchObject({ status: 'succeeded', result: { readings: devices * perDevice } });
    const bytes = outcome.status === 'succeeded' ? (outcome.result.bytes ?? 0) : 0;
    const growthMb = (peak - before) / 2 ** 20;
    console.log(
      `export of ${devices * perDevice} readings (${(bytes / 2 ** 20).toFixed(1)} MiB JSON Lines): ${seconds.toFixed(1)} s, ` +
        `${Math.round((devices * perDevice) / seconds)} readings/s, heap + buffers grew at most ${growthMb.toFixed(1)} MiB`,
    );
    // The file is far larger than the bound: holding it would break it.
    expect(bytes / 2 ** 20).toBeGreaterThan(64);
    expect(growthMb).toBeLessThan(64);
    expect(context.seen.at(-1)).toBe(devices * perDevice);
  }, 180_000);
});
