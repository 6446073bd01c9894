/**
 * A dashboard's load with 10,000 registered devices (issue 14): the whole platform as a separate
 * process, the registry and the device state tables filled with `--devices` devices (written
 * straight into DynamoDB through the local cloud's AWS port, as a migration would: registering
 * 10,000 things through IoT provisioning would take the hour this measurement should not), four real
 * devices publishing, and a dashboard of every widget kind over them. Measured: the calls the
 * dashboard page makes to show every widget once (the dashboard, then one call per series, latest
 * value, gauge, table row, the alarms and the status counts, in parallel as the page makes them),
 * `--rounds` times, cold and warm status counts apart.
 *
 *   node --import tsx bench/src/dashboard-load.ts [--devices 10000] [--rounds 20]
 */
import { parseArgs } from 'node:util';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { devicesTable, latestTable, mapWithLimit, resolveTimeRange, topics, type Dashboard, type DashboardInput } from '@fleet/core';
import { connectDevice, createUser, startPlatformProcess, type FleetUser } from '@fleet/e2e';
import { percentile } from './stats.ts';

const { values: args } = parseArgs({
  options: { devices: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '20' } },
});
const fleetSize = Number(args.devices);
const rounds = Number(args.rounds);

/** Writes `count` registry items and device state items, 25 a BatchWriteItem, 8 requests at a time. */
async function seedFleet(dynamo: DynamoDBClient, count: number, now: number): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => `bench-dash-${String(i).padStart(5, '0')}`);
  const batches = Array.from({ length: Math.ceil(count / 25) }, (_, b) => ids.slice(b * 25, b * 25 + 25));
  await mapWithLimit(batches, 8, async (batch) => {
    let items: Record<string, { PutRequest: { Item: Record<string, any> } }[]> = {
      [devicesTable.id]: batch.map((deviceId) => ({
        PutRequest: {
          Item: {
            deviceId: { S: deviceId },
            name: { S: deviceId },
            ownerId: { S: 'bench' },
            ownerName: { S: 'bench' },
            createdAt: { S: new Date(now).toISOString() },
            certificateArn: { S: 'arn:aws:iot:us-east-1:000000000000:cert/bench' },
            certificateId: { S: 'bench' },
            status: { S: 'active' },
          },
        },
      })),
      [latestTable.id]: batch.map((deviceId, i) => ({
        PutRequest: {
          Item: {
            deviceId: { S: deviceId },
            online: { BOOL: i % 3 !== 0 },
            ts: { N: String(now - i * 60_000) },
            seq: { N: '1' },
            receivedAt: { N: String(now - i * 60_000) },
            values: { M: { temperature: { N: String(20 + i / 10) } } },
          },
        },
      })),
    };
    for (let attempt = 0; Object.keys(items).length > 0; attempt++) {
      if (attempt > 10) throw new Error('BatchWriteItem left items unprocessed after 10 attempts');
      const out = await dynamo.send(new BatchWriteItemCommand({ RequestItems: items }));
      items = (out.UnprocessedItems ?? {}) as typeof items;
    }
  });
}

/** Every call the dashboard page makes to show each widget once; resolves with the time it took and the number of calls. */
async function loadDashboard(user: FleetUser, id: string): Promise<{ ms: number; calls: number }> {
  const started = performance.now();
  const dashboard = await user.api.call<Dashboard>('GET', `/api/dashboards/${id}`);
  const { from, to } = resolveTimeRange(dashboard.timeRange, Date.now());
  const device = (deviceId: string) => user.api.call('GET', `/api/devices/${deviceId}`);
  const calls = dashboard.widgets.flatMap((w) => {
    const c = w.config;
    switch (c.kind) {
      case 'timeseries':
        return c.series.map((s) =>
          user.api.call('GET', `/api/devices/${s.deviceId}/telemetry?from=${from}&to=${to}&maxPoints=300&metrics=${s.metric}`),
        );
      case 'latest':
      case 'gauge':
        return [device(c.source.deviceId)];
      case 'table':
        return c.deviceIds.map(device);
      case 'alarms':
        return [user.api.call('GET', '/api/alarms')];
      case 'status':
        return [user.api.call('GET', '/api/device-status-counts')];
    }
  });
  await Promise.all(calls);
  return { ms: performance.now() - started, calls: 1 + calls.length };
}

const platform = await startPlatformProcess({ startTimeoutMs: 120_000 });
try {
  const user = await createUser(platform);
  const now = Date.now();
  const real: string[] = [];
  for (let n = 0; n < 4; n++) {
    const registered = await user.api.registerDevice(`dashboard bench ${n}`);
    real.push(registered.device.deviceId);
    const client = await connectDevice(platform, registered);
    for (let seq = 1; seq <= 60; seq++) {
      const reading = { ts: now - (60 - seq) * 60_000, seq, temperature: 20 + n + seq / 100 };
      await client.publishAsync(topics.telemetry(registered.device.deviceId), JSON.stringify(reading), { qos: 1 });
      await new Promise((r) => setTimeout(r, 12));
    }
    await client.endAsync();
  }
  const credentials = await platform.credentials();
  const dynamo = new DynamoDBClient({
    region: platform.endpoints.region,
    endpoint: platform.endpoints.awsEndpoint,
    ...(credentials ? { credentials } : {}),
  });
  const seedStart = performance.now();
  await seedFleet(dynamo, fleetSize, now);
  const seedMs = performance.now() - seedStart;

  const [a = '', b = '', c = '', d = ''] = real;
  const input: DashboardInput = {
    name: 'bench',
    shared: false,
    timeRange: { kind: 'relative', last: '24h' },
    refresh: '30s',
    widgets: [
      {
        id: 'ts',
        title: 'Temperatures',
        layout: { x: 0, y: 0, w: 8, h: 4 },
        config: { kind: 'timeseries', series: real.map((deviceId) => ({ deviceId, metric: 'temperature' })) },
      },
      {
        id: 'latest',
        title: 'Now',
        layout: { x: 8, y: 0, w: 4, h: 2 },
        config: { kind: 'latest', source: { deviceId: a, metric: 'temperature' } },
      },
      {
        id: 'gauge',
        title: 'Gauge',
        layout: { x: 8, y: 2, w: 4, h: 2 },
        config: { kind: 'gauge', source: { deviceId: b, metric: 'temperature' }, min: 0, max: 50 },
      },
      {
        id: 'table',
        title: 'Table',
        layout: { x: 0, y: 4, w: 6, h: 3 },
        config: {
          kind: 'table',
          deviceIds: [a, b, c, d, ...Array.from({ length: 16 }, (_, i) => `bench-dash-${String(i).padStart(5, '0')}`)],
          metrics: ['temperature'],
        },
      },
      { id: 'alarms', title: 'Alarms', layout: { x: 6, y: 4, w: 6, h: 3 }, config: { kind: 'alarms', limit: 10 } },
      { id: 'status', title: 'Status', layout: { x: 0, y: 7, w: 4, h: 2 }, config: { kind: 'status' } },
    ],
  };
  const created = await user.api.call<Dashboard>('POST', '/api/dashboards', input);
  const counts = await user.api.call<{ online: number; silent: number; offline: number; total: number }>(
    'GET',
    '/api/device-status-counts',
  );
  // Cold: the first load after the status count's cache lapsed (a Scan of the whole state table).
  const cold: number[] = [];
  const warm: number[] = [];
  let calls = 0;
  for (let r = 0; r < rounds; r++) {
    // Every other round waits out the count's cache (10 s), so it pays for a Scan of the whole state table.
    if (r % 2 === 0) await new Promise((resolve) => setTimeout(resolve, 10_500));
    const load = await loadDashboard(user, created.id);
    (r % 2 === 0 ? cold : warm).push(load.ms);
    calls = load.calls;
  }
  const figure = (samples: number[]) => ({ p50: Math.round(percentile(samples, 50) ?? NaN), max: Math.round(Math.max(...samples)) });
  const summary = {
    devices: fleetSize + real.length,
    seedMs: Math.round(seedMs),
    counts,
    callsPerLoad: calls,
    dashboardLoadMs: { afterCountCacheLapsed: figure(cold), countCached: figure(warm) },
  };
  console.log(JSON.stringify(summary, null, 2));
} finally {
  await platform.stop();
}
