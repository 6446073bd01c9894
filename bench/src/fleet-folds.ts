/**
 * The Data Service's storage of one flush per reading of every device (issue 9, 1,000 devices each
 * flush holding about one reading per device), with the rollups (minute, hour, day) written in every
 * flush (as before `fold-scheduler.ts`) and deferred (as live ingest does now), alternately in one process against one
 * dynalite child: the two modes see the same machine load, which on a shared machine moves the
 * end-to-end figures more than the change does. Counts the DynamoDB calls per reading by operation.
 *
 *   node --import tsx bench/src/fleet-folds.ts [--devices 1000] [--flushes 10] [--rounds 2] [--fold-ms 5000]
 *
 * What it leaves out: MQTT, the rules engine, SQS, S3 and the AWS port's SigV4/IAM hop (the SDK talks
 * to dynalite directly), so its readings/s are the storage step's alone, not the platform's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defaultRetention, rollupsTable, tables, type Reading } from '@fleet/core';
import { createFoldScheduler, createLatestStore, createRollupWriter, createTelemetryStore } from '@fleet/data-service';
import { createTableInput, dynaliteScript, startReadyChild } from '@fleet/local-cloud';
import pino from 'pino';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    flushes: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    'fold-ms': { type: 'string', default: '5000' },
    /** Flushes stored at once, as the consumer's two flush slots. */
    slots: { type: 'string', default: '2' },
  },
});
const devices = Number(args.devices);
const flushes = Number(args.flushes);
const slots = Number(args.slots);

const dataDir = await mkdtemp(join(tmpdir(), 'fleet-folds-'));
const child = await startReadyChild({ name: 'dynalite', script: dynaliteScript, args: [join(dataDir, 'dynamodb')] });
const raw = new DynamoDBClient({
  endpoint: `http://127.0.0.1:${child.port}`,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
for (const table of tables) await raw.send(new CreateTableCommand(createTableInput(table)));
const dynamo = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });

/** Counts each DynamoDB operation the stores send. */
const calls = new Map<string, number>();
const counting = {
  send: (command: { constructor: { name: string } }) => {
    const name = command.constructor.name.replace(/Command$/, '');
    calls.set(name, (calls.get(name) ?? 0) + 1);
    return dynamo.send(command as never);
  },
} as unknown as DynamoDBDocumentClient;

const logger = pino({ level: 'warn' });
const policyOf = () => Promise.resolve(defaultRetention);

async function run(mode: 'per flush' | 'deferred', round: number) {
  const rollups = createRollupWriter({ client: counting, tableName: rollupsTable.id, policyOf });
  const folds = mode === 'deferred' ? createFoldScheduler({ writer: rollups, logger, intervalMs: Number(args['fold-ms']) }) : undefined;
  const telemetry = createTelemetryStore({ client: counting, tableName: tables[2].id, logger, rollups, ...(folds ? { folds } : {}) });
  const latest = createLatestStore({ client: counting, tableName: tables[1].id });
  calls.clear();
  const base = Date.now() - 30 * 60_000;
  const prefix = `${mode === 'deferred' ? 'd' : 'p'}${round}`;
  const flushOf = (f: number): (Reading & { receivedAt: number })[] =>
    Array.from({ length: devices }, (_, d) => ({
      deviceId: `${prefix}-${d}`,
      ts: base + f * 1000,
      seq: f,
      values: { temperature: 20 + (f % 10), humidity: 40 + (d % 7) },
      receivedAt: Date.now(),
    }));
  const load = loadavg()[0]!;
  const started = Date.now();
  const held: Promise<readonly unknown[]>[] = [];
  let next = 0;
  // Each slot stores a flush, then takes the next; deferred folds do not hold a slot (the consumer holds the messages).
  await Promise.all(
    Array.from({ length: slots }, async () => {
      for (let f = next++; f < flushes; f = next++) {
        const batch = flushOf(f);
        const [t, l] = await Promise.all([telemetry.write(batch), latest.write(batch)]);
        if (t.failed.length > 0 || l.failed.length > 0)
          throw new Error(`writes failed: ${String(t.failed[0]?.error ?? l.failed[0]?.error)}`);
        if (t.folded) held.push(t.folded);
      }
    }),
  );
  const storedMs = Date.now() - started;
  await folds?.flush();
  const unfolded = (await Promise.all(held)).flat();
  if (unfolded.length > 0) throw new Error(`${unfolded.length} readings' folds failed`);
  const readings = devices * flushes;
  const total = [...calls.values()].reduce((a, b) => a + b, 0);
  const perReading = [...calls].map(([name, n]) => `${name} ${(n / readings).toFixed(2)}`).join(', ');
  console.log(
    `${mode.padEnd(9)} round ${round}: ${readings} readings stored in ${storedMs} ms = ${Math.round((readings / storedMs) * 1000)} readings/s ` +
      `(folds done +${Date.now() - started - storedMs} ms); DynamoDB calls per reading ${(total / readings).toFixed(2)} (${perReading}); load ${load.toFixed(2)}`,
  );
}

console.log(
  `${devices} devices, ${flushes} flushes of one reading per device, ${slots} flushes at once, folds deferred by ${args['fold-ms']} ms`,
);
for (let round = 1; round <= Number(args.rounds); round++) {
  await run('per flush', round);
  await run('deferred', round);
}
raw.destroy();
await child.close();
await rm(dataDir, { recursive: true, force: true });
