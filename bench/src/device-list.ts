/**
 * The device list at 10,000 registered devices (issue 14): the devices are written straight into
 * the platform's registry table (`fleet-devices`) and device state table (`fleet-latest`) with the
 * local cloud's root keys, 25 items per BatchWriteItem (registering 10,000 through the API would
 * take ≈ 4 minutes on this machine: see `bulk-import.ts`), a fifth of them online with a fresh reading,
 * a fifth connected but silent, the rest offline. Then `GET /api/devices` through the gateway, one
 * request at a time: the first page (cold: the API task builds its index), then each query
 * `--queries` times (default 50) after one untimed: the first page, a search, a sort by last seen,
 * a status filter, and the tenth page of a search. Each device's thing is created in the IoT
 * registry too (CreateThing through the AWS port, 16 at once) with attributes `site` (one of 20)
 * and `floor` (one of 5), so that the attribute filter is timed at the same scale: one condition,
 * two conditions, and a search over attribute values. The API reads the attributes with ListThings
 * (40 pages of 250) when its index is cold.
 *
 *   node --import tsx bench/src/device-list.ts [--devices 10000] [--queries 50]
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateThingCommand, IoTClient } from '@aws-sdk/client-iot';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { devicesTable, latestTable, mapWithLimit, silentAfterMs } from '@fleet/core';
import { createUser, startPlatformProcess, type PlatformProcess } from '@fleet/e2e';
import { parseArgs } from 'node:util';
import { summarizeLatencies, type LatencySummary } from './stats.ts';

/** Writes `count` registry items and their states, as ingest and presence would have left them. */
async function seedDevices(platform: PlatformProcess, count: number): Promise<number> {
  const credentials = await platform.credentials();
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: platform.endpoints.awsEndpoint,
      region: platform.endpoints.region,
      ...(credentials ? { credentials } : {}),
    }),
  );
  const now = Date.now();
  const items = Array.from({ length: count }, (_, i) => {
    const deviceId = `bench-${String(i).padStart(5, '0')}`;
    const kind = i % 5; // 0: online, 1: silent, else offline
    const receivedAt = kind === 0 ? now - (i % 60) * 1000 : now - silentAfterMs - 60_000 - i * 1000;
    return {
      record: {
        deviceId,
        name: `Sensor ${i} ${['boiler', 'cold room', 'attic', 'pump', 'fan'][i % 5]}`,
        ownerId: 'bench',
        ownerName: 'bench',
        createdAt: new Date(now - (count - i) * 1000).toISOString(),
        certificateArn: `arn:aws:iot:${platform.endpoints.region}:000000000000:cert/bench${i}`,
        certificateId: `bench${i}`,
        status: 'active',
      },
      state: {
        deviceId,
        ts: receivedAt,
        seq: i,
        values: { temperature: 20 + (i % 100) / 7, humidity: 40 + (i % 30) / 3 },
        receivedAt,
        online: kind <= 1,
        lastSeenAt: new Date(receivedAt).toISOString(),
        connectedAt: new Date(receivedAt - 3_600_000).toISOString(),
        presenceAt: receivedAt,
      },
    };
  });
  const started = Date.now();
  const batches: { table: string; items: object[] }[] = [];
  for (let i = 0; i < items.length; i += 25) {
    const slice = items.slice(i, i + 25);
    batches.push({ table: platform.endpoints.tables['devices'] ?? devicesTable.id, items: slice.map((x) => x.record) });
    batches.push({ table: platform.endpoints.tables['latest'] ?? latestTable.id, items: slice.map((x) => x.state) });
  }
  await mapWithLimit(batches, 8, async ({ table, items: batch }) => {
    let request: Record<string, { PutRequest: { Item: object } }[]> | undefined = {
      [table]: batch.map((Item) => ({ PutRequest: { Item } })),
    };
    while (request && Object.keys(request).length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: request }));
      request = out.UnprocessedItems as typeof request;
    }
  });
  return Date.now() - started;
}

/** The thing attributes of bench device `i`: 20 sites of 500 devices, each site's spread over 5 floors. */
const attributesOf = (i: number) => ({ site: `site-${String(i % 20).padStart(2, '0')}`, floor: String(Math.floor(i / 20) % 5) });

/** Creates each device's thing with its attributes, as registration would (without certificates). */
async function seedThings(platform: PlatformProcess, count: number): Promise<number> {
  const credentials = await platform.credentials();
  const iot = new IoTClient({
    endpoint: platform.endpoints.awsEndpoint,
    region: platform.endpoints.region,
    ...(credentials ? { credentials } : {}),
  });
  const started = Date.now();
  await mapWithLimit(
    Array.from({ length: count }, (_, i) => i),
    16,
    (i) =>
      iot.send(
        new CreateThingCommand({
          thingName: `bench-${String(i).padStart(5, '0')}`,
          attributePayload: { attributes: { ...attributesOf(i), owner: 'bench', name: `Sensor_${i}` } },
        }),
      ),
  );
  iot.destroy();
  return Date.now() - started;
}

interface ListAnswer {
  readonly items: unknown[];
  readonly total?: number;
  readonly nextCursor?: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { devices: { type: 'string', default: '10000' }, queries: { type: 'string', default: '50' } } });
  const devices = Number(values.devices);
  const queries = Number(values.queries);
  const platform = await startPlatformProcess({ startTimeoutMs: 120_000 });
  try {
    const seedMs = await seedDevices(platform, devices);
    const thingsMs = await seedThings(platform, devices);
    const user = await createUser(platform, { role: 'viewer' });
    const base = `${platform.endpoints.gatewayUrl}/api/devices`;
    const get = async (query: string): Promise<{ ms: number; answer: ListAnswer }> => {
      const started = performance.now();
      const res = await fetch(`${base}?${query}`, { headers: { authorization: `Bearer ${user.tokens.accessToken}` } });
      const answer = (await res.json()) as ListAnswer;
      if (res.status !== 200) throw new Error(`GET /api/devices?${query} answered ${res.status}: ${JSON.stringify(answer)}`);
      return { ms: performance.now() - started, answer };
    };
    const cold = await get('limit=50');
    // The tenth page of a search: nine cursors followed first (untimed), then that page timed.
    let tenth = 'q=boiler&limit=50';
    for (let i = 0; i < 9; i++) tenth = `q=boiler&limit=50&cursor=${encodeURIComponent((await get(tenth)).answer.nextCursor ?? '')}`;
    const cases: Record<string, string> = {
      firstPage: 'limit=50',
      search: 'q=cold%20room&limit=50',
      sortByLastSeen: 'sort=lastSeen&order=desc&limit=50',
      statusSilent: 'status=silent&limit=50',
      tenthPageOfSearch: tenth,
      attributeValue: 'attribute=site%3Dsite-07&limit=50',
      twoAttributes: 'attribute=site%3Dsite-07&attribute=floor%3D2&limit=50',
      attributePresent: 'attribute=floor&sort=name&limit=50',
      searchAttributeValues: 'q=site-07&limit=50',
    };
    const results: Record<string, LatencySummary & { total: number | undefined }> = {};
    for (const [name, query] of Object.entries(cases)) {
      const { answer } = await get(query);
      const samples: number[] = [];
      for (let i = 0; i < queries; i++) samples.push((await get(query)).ms);
      results[name] = { ...summarizeLatencies(samples), total: answer.total };
    }
    const round = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(1));
    console.log(
      `devices ${devices}: seeded in ${(seedMs / 1000).toFixed(1)} s, things with attributes in ${(thingsMs / 1000).toFixed(1)} s; ` +
        `cold first page ${round(cold.ms)} ms (total ${cold.answer.total})`,
    );
    console.log('query                 total    p50 ms   p99 ms   max ms');
    for (const [name, r] of Object.entries(results)) {
      console.log(
        `${name.padEnd(20)} ${String(r.total).padStart(6)} ${round(r.p50Ms).padStart(9)} ${round(r.p99Ms).padStart(8)} ${round(r.maxMs).padStart(8)}`,
      );
    }
    console.log(JSON.stringify({ devices, seedMs, thingsMs, coldFirstPageMs: cold.ms, queries, results }));
  } finally {
    await platform.stop();
  }
}

await main();
