/**
 * Measures the DynamoDB stand-in's memory and disk under the Data Service's real write pattern
 * (issue 7, item 15): dynalite runs as the local cloud runs it (its child-process entry, a disk
 * path), the tables of `@fleet/core` are created, and readings are written through the Data
 * Service's own telemetry store (time-bucketed UpdateItems) and latest store (conditional Puts),
 * in flushes of 100 messages as the ingest consumer makes them, while the TTL sweeper scans and
 * one query per flush reads (as the API and the bench poll). Every `--every` readings it prints
 * the child's RSS and the size of its data folder; at the end it idles and samples once more.
 *
 *   node --import tsx bench/src/dynalite-memory.ts --readings 100000 --devices 20 --rate 40
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tables, type Reading } from '@fleet/core';
import pino from 'pino';
import { createLatestStore, createTelemetryStore } from '@fleet/data-service';
import { createTableInput, dynaliteScript, startReadyChild, sweepExpiredItems } from '@fleet/local-cloud';

const { values: args } = parseArgs({
  options: {
    readings: { type: 'string', default: '100000' },
    devices: { type: 'string', default: '20' },
    /** Readings per second per device, in device time: how full a one-minute window item gets. */
    rate: { type: 'string', default: '40' },
    every: { type: 'string', default: '10000' },
    flush: { type: 'string', default: '100' },
    idle: { type: 'string', default: '15000' },
    /** TTL sweep interval, as the stand-in runs it (a Scan of the telemetry table); 0 = none. */
    'sweep-ms': { type: 'string', default: '60000' },
    /** Queries of one device's readings per flush, as the API and the bench poll; 0 = none. */
    queries: { type: 'string', default: '1' },
    'data-dir': { type: 'string' },
  },
});
const total = Number(args.readings);
const devices = Number(args.devices);
const rate = Number(args.rate);
const every = Number(args.every);
const flush = Number(args.flush);

/** Resident set of a process in bytes (Linux /proc). */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

async function folderSize(path: string): Promise<number> {
  let size = 0;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    size += entry.isDirectory() ? await folderSize(full) : (await stat(full)).size;
  }
  return size;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const dataDir = args['data-dir'] ?? (await mkdtemp(join(tmpdir(), 'dynalite-memory-')));
const dbPath = join(dataDir, 'dynamodb');
const child = await startReadyChild({
  name: 'dynalite',
  script: dynaliteScript,
  args: [dbPath],
});
const pid = child.process.pid ?? -1;
const raw = new DynamoDBClient({
  endpoint: `http://127.0.0.1:${child.port}`,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
const dynamo = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
// dynalite alone has no TTL operations (the stand-in adds them): create the tables only.
for (const table of tables) await raw.send(new CreateTableCommand(createTableInput(table)));
const logger = pino({ level: 'warn' });
const telemetry = createTelemetryStore({ client: dynamo, tableName: 'fleet-telemetry', logger });
const latest = createLatestStore({ client: dynamo, tableName: 'fleet-latest' });

const sample = async (label: string) => {
  console.log(`${label.padStart(10)}  rss ${mb(await rssOf(pid)).padStart(8)}  folder ${mb(await folderSize(dbPath)).padStart(8)}`);
};

const base = Date.now() - 3_600_000;
const started = Date.now();
const settings = { get: () => 'expiresAt', set: async () => {}, entries: (): [string, string][] => [['fleet-telemetry', 'expiresAt']] };
let sweeping: Promise<unknown> = Promise.resolve();
const sweepMs = Number(args['sweep-ms']);
const sweeper = sweepMs > 0 ? setInterval(() => (sweeping = sweepExpiredItems({ client: raw, settings })), sweepMs) : undefined;
await sample('0');
for (let written = 0; written < total; written += flush) {
  const batch: (Reading & { receivedAt: number })[] = [];
  for (let i = written; i < Math.min(total, written + flush); i++) {
    const device = i % devices;
    const seq = Math.floor(i / devices) + 1;
    const ts = base + Math.round((seq * 1000) / rate);
    batch.push({
      deviceId: `bench-${device}`,
      ts,
      seq,
      values: { temperature: 20 + (seq % 10), humidity: 40 + (seq % 7) },
      receivedAt: ts,
    });
  }
  const [t, l] = await Promise.all([telemetry.write(batch), latest.write(batch)]);
  for (let q = 0; q < Number(args.queries); q++) {
    const from = batch[0]?.ts ?? base;
    for await (const reading of telemetry.query({
      deviceId: batch[q % batch.length]?.deviceId ?? 'bench-0',
      from: from - 60_000,
      to: from,
    }))
      void reading;
  }
  if (t.failed.length > 0 || l.failed.length > 0) throw new Error(`writes failed: ${String(t.failed[0]?.error ?? l.failed[0]?.error)}`);
  const now = written + batch.length;
  if (now % every === 0) await sample(String(now));
}
console.log(`wrote ${total} readings in ${((Date.now() - started) / 1000).toFixed(1)} s`);
clearInterval(sweeper);
await sweeping;
await new Promise((resolve) => setTimeout(resolve, Number(args.idle)));
await sample('idle');
raw.destroy();
await child.close();
if (!args['data-dir']) await rm(dataDir, { recursive: true, force: true });
