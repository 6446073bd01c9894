/**
 * `GET /api/overview` at fleet scale (issue 14): the whole platform as a separate process, 10,000
 * devices (`--devices`) written straight into the registry and the Data Service's device state
 * table with the local cloud's root keys (registering through IoT would take longer than the
 * measurement and measure something else), a known mix of online, silent and offline, then the
 * overview asked one request at a time through the gateway with an admin's token, each answer's
 * counts checked against the mix: `--cold-requests` 5.5 s apart (each counts the fleet anew: the
 * API shares one count for 5 s) and `--requests` back to back (as many open pages would).
 *
 *   npm run bench:overview -- [--devices 10000] [--requests 30] [--cold-requests 10]
 *
 * Prints one JSON line with the figures. Not asserted anywhere: the figure is reported.
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { devicesTable, latestTable, mapWithLimit, silentAfterMs, type Overview } from '@fleet/core';
import { createAdmin, startPlatformProcess } from '@fleet/e2e';
import { percentile } from './stats.ts';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '30' },
    'cold-requests': { type: 'string', default: '10' },
  },
});
const coldRequests = Number(args['cold-requests']);
const devices = Number(args.devices);
const requests = Number(args.requests);

/** Device i: every 10th silent, every 4th offline, the rest online. */
const statusOf = (i: number) => (i % 10 === 0 ? 'silent' : i % 4 === 0 ? 'offline' : 'online');

async function main(): Promise<void> {
  const platform = await startPlatformProcess({ startTimeoutMs: 120_000 });
  try {
    const base = new DynamoDBClient({
      region: platform.endpoints.region,
      endpoint: platform.endpoints.awsEndpoint,
      credentials: await platform.credentials(),
    });
    const doc = DynamoDBDocumentClient.from(base);
    const now = Date.now();
    const ids = Array.from({ length: devices }, (_, i) => `scale-${String(i).padStart(5, '0')}`);
    const batches: number[][] = [];
    for (let i = 0; i < devices; i += 25) batches.push(Array.from({ length: Math.min(25, devices - i) }, (_, j) => i + j));
    const seedStarted = Date.now();
    await mapWithLimit(batches, 4, async (batch) => {
      const registry = batch.map((i) => ({
        PutRequest: {
          Item: {
            deviceId: ids[i],
            name: `Scale ${i}`,
            ownerId: 'bench',
            ownerName: 'bench',
            createdAt: new Date(now - devices + i).toISOString(),
            certificateArn: `arn:aws:iot:us-east-1:000000000000:cert/${i}`,
            certificateId: String(i),
            status: 'active',
          },
        },
      }));
      const states = batch.map((i) => {
        const status = statusOf(i);
        const heard = status === 'silent' ? now - 2 * silentAfterMs : now - 30_000;
        return {
          PutRequest: {
            Item: {
              deviceId: ids[i],
              online: status !== 'offline',
              connectedAt: new Date(now - 3 * silentAfterMs).toISOString(),
              lastSeenAt: new Date(now - 3 * silentAfterMs).toISOString(),
              presenceAt: now - 3 * silentAfterMs,
              ts: heard,
              seq: 1,
              values: { temperature: 21.5 },
              receivedAt: heard,
            },
          },
        };
      });
      for (const [table, writes] of [
        [platform.endpoints.tables[devicesTable.id] ?? devicesTable.id, registry],
        [platform.endpoints.tables[latestTable.id] ?? latestTable.id, states],
      ] as const) {
        let pending: unknown[] = [...writes];
        while (pending.length > 0) {
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
          pending = out.UnprocessedItems?.[table] ?? [];
        }
      }
    });
    const seedMs = Date.now() - seedStarted;
    base.destroy();

    const admin = await createAdmin(platform);
    const expected = { online: 0, offline: 0, silent: 0 };
    for (let i = 0; i < devices; i++) expected[statusOf(i)]++;
    /** `count` answers one at a time, `pauseMs` apart, after 2 untimed: their durations. */
    const timed = async (count: number, pauseMs: number) => {
      const times: number[] = [];
      for (let n = 0; n < count + 2; n++) {
        if (pauseMs > 0) await sleep(pauseMs);
        const started = performance.now();
        const overview = await admin.api.call<Overview>('GET', '/api/overview');
        const ms = performance.now() - started;
        const counts = overview.devices;
        if (!counts.available) throw new Error(`the device counts were unavailable: ${counts.reason}`);
        const got = { online: counts.online, offline: counts.offline, silent: counts.silent };
        if (counts.total !== devices || JSON.stringify(got) !== JSON.stringify(expected)) {
          throw new Error(`counted ${counts.total} devices ${JSON.stringify(got)}, seeded ${devices} ${JSON.stringify(expected)}`);
        }
        if (n >= 2) times.push(ms);
      }
      return times;
    };
    // Cold: each request after the API's shared device count expired (5 s), so each one counts
    // anew; warm: back to back, as many open pages share one count.
    const cold = await timed(coldRequests, 5_500);
    const warm = await timed(requests, 0);
    const round = (x: number | undefined) => (x === undefined ? null : Math.round(x));
    process.stdout.write(
      `${JSON.stringify({
        figure: 'GET /api/overview through the gateway',
        devices,
        requests,
        seedMs,
        coldRequests,
        coldP50Ms: round(percentile(cold, 50)),
        coldMaxMs: round(Math.max(...cold)),
        warmP50Ms: round(percentile(warm, 50)),
        warmP99Ms: round(percentile(warm, 99)),
        loadAverage: loadavg()[0]?.toFixed(1),
        counts: expected,
      })}\n`,
    );
  } finally {
    await platform.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
