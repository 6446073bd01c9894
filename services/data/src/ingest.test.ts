/**
 * The ingest path end to end inside the process: an SQS-like queue → consumer → dynalite + s3rver,
 * then the HTTP queries through `app.inject`.
 */
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from './emf.ts';
import { createDataService } from './service.ts';
import { createTestCallers, type TestCallers } from './testing/test-callers.ts';
import type { DataService } from './service.ts';
import { startLocalAws } from './testing/local-aws.ts';
import type { LocalAws } from './testing/local-aws.ts';
import { createMemoryQueue } from './testing/memory-queue.ts';
import type { MemoryQueue } from './testing/memory-queue.ts';
import { waitFor } from './testing/wait-for.ts';

const logger = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
const now = Date.now();
const hourAgo = now - 3_600_000;

function telemetryBody(deviceId: string, payload: unknown, receivedAt = now, messageId: string = randomUUID()): string {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return JSON.stringify({
    kind: 'telemetry',
    payload: Buffer.from(text).toString('base64'),
    deviceId,
    clientId: deviceId,
    receivedAt,
    messageId,
  });
}

interface RawPage {
  readings: { ts: number; seq: number; values: Record<string, number> }[];
  nextCursor?: string;
}

describe('ingest consumer and queries against dynalite and s3rver', () => {
  let aws: LocalAws;
  let queue: MemoryQueue;
  let service: DataService;
  let callers: TestCallers;
  const emf: string[] = [];
  /** Asked by an operator (who may also read dead letters). */
  const query = async (url: string, query?: Record<string, string>) =>
    service.app.inject({ url, ...(query ? { query } : {}), headers: await callers.headers(['operator']) });

  const start = (q: MemoryQueue, tables = aws.tableNames) => {
    const s = createDataService({
      logger,
      verifier: callers.verifier,
      dynamo: aws.dynamo,
      s3: aws.s3,
      queue: q,
      tables,
      bucket: aws.bucket,
      metrics: createMetrics({ namespace: 'Fleet', service: 'data', flushIntervalMs: 0, write: (line) => emf.push(line) }),
      consumer: { waitTimeSeconds: 1, flushIntervalMs: 50, retryDelaySeconds: () => 0 },
      // The tests wait for messages to be deleted, which waits for the deferred rollups.
      foldIntervalMs: 100,
    });
    s.start();
    return s;
  };

  const rawReadings = async (deviceId: string, from: number, to: number, limit: number) => {
    const all: RawPage['readings'] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await query(`/data/devices/${deviceId}/readings/raw`, {
        from: String(from),
        to: String(to),
        limit: String(limit),
        ...(cursor ? { cursor } : {}),
      });
      expect(res.statusCode).toBe(200);
      const page = res.json<RawPage>();
      expect(page.readings.length).toBeLessThanOrEqual(limit);
      all.push(...page.readings);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    return { readings: all, pages };
  };

  beforeAll(async () => {
    callers = await createTestCallers();
    aws = await startLocalAws();
    queue = createMemoryQueue();
    service = start(queue);
  });
  afterAll(async () => {
    await service.stop();
    await aws.close();
  });

  it('stores each reading once when the same message is delivered twice, and deletes both deliveries', async () => {
    const body = telemetryBody('twice', { ts: hourAgo, seq: 1, temperature: 20 });
    queue.send(body);
    queue.send(body);
    await waitFor('the queue to drain', () => queue.size === 0);
    const { readings } = await rawReadings('twice', hourAgo - 1000, now, 100);
    expect(readings).toEqual([{ ts: hourAgo, seq: 1, values: { temperature: 20 } }]);
  });

  it('stores out-of-order and late readings, and keeps the newest (ts, seq) as latest', async () => {
    const dayAgo = now - 86_400_000;
    const order = [
      { ts: hourAgo + 3000, seq: 3 },
      { ts: hourAgo + 1000, seq: 1 },
      { ts: dayAgo, seq: 0 }, // a day late, still within retention
      { ts: hourAgo + 2000, seq: 2 },
    ];
    for (const r of order) queue.send(telemetryBody('ooo', { ...r, temperature: r.seq }));
    await waitFor('the queue to drain', () => queue.size === 0);
    const { readings } = await rawReadings('ooo', dayAgo, now, 100);
    expect(readings.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    const latest = await query('/data/devices/ooo/latest');
    expect(latest.statusCode).toBe(200);
    expect(latest.json()).toMatchObject({ deviceId: 'ooo', ts: hourAgo + 3000, seq: 3, values: { temperature: 3 } });
  });

  it('sends a malformed payload to the dead letters with its reason, does not store it, and deletes the message', async () => {
    const messageId = randomUUID();
    queue.send(telemetryBody('bad', '{"ts": "yesterday", "seq": 1, "temperature": 1}', now, messageId));
    queue.send('not json at all');
    await waitFor('the queue to drain', () => queue.size === 0);
    const key = `dead-letters/ingest/${new Date(now).toISOString().slice(0, 10).replaceAll('-', '/')}/${messageId}.json`;
    const object = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key }));
    const letter = JSON.parse(await object.Body!.transformToString());
    expect(letter).toMatchObject({
      messageId,
      deviceId: 'bad',
      receivedAt: now,
      reason: expect.stringMatching(/"ts" must be epoch milliseconds/),
    });
    expect(Buffer.from(letter.payload, 'base64').toString()).toContain('yesterday');
    expect((await rawReadings('bad', hourAgo, now, 10)).readings).toEqual([]);
    const listed = await query('/data/dead-letters?limit=10');
    expect(listed.statusCode).toBe(200);
    const reasons = listed.json<{ deadLetters: { messageId: string; reason: string }[] }>().deadLetters.map((d) => d.reason);
    expect(reasons).toEqual(expect.arrayContaining([expect.stringMatching(/"ts" must be/), expect.stringMatching(/not JSON/)]));
  });

  it('leaves a message undeleted when DynamoDB fails, and stores it on redelivery once DynamoDB works', async () => {
    const failingQueue = createMemoryQueue();
    const broken = start(failingQueue, { ...aws.tableNames, telemetry: 'no-such-table' });
    failingQueue.send(telemetryBody('retry', { ts: hourAgo, seq: 5, temperature: 1 }));
    await waitFor('the failed message to be given back', () => failingQueue.visibilityChanges > 0);
    await broken.stop();
    expect(failingQueue.size).toBe(1);
    expect((await rawReadings('retry', hourAgo, now, 10)).readings).toEqual([]);

    const healthy = start(failingQueue);
    await waitFor('the redelivered message to be stored', () => failingQueue.size === 0);
    await healthy.stop();
    expect((await rawReadings('retry', hourAgo, now, 10)).readings).toEqual([{ ts: hourAgo, seq: 5, values: { temperature: 1 } }]);
  });

  it('answers a range query over 1,000 stored readings with counts summing to 1,000 in at most maxPoints intervals, and the raw query with exactly those readings', async () => {
    const n = 1000;
    const from = hourAgo - n * 1000;
    const sent = Array.from({ length: n }, (_, i) => ({ ts: from + i * 1000, seq: i, temperature: i % 50, humidity: 40 }));
    // Shuffled, with a tenth sent twice (as QoS 1 and SQS redeliveries do).
    const order = [...sent, ...sent.slice(0, 100)].sort((a, b) => ((a.seq * 7919) % 1009) - ((b.seq * 7919) % 1009));
    for (const r of order) queue.send(telemetryBody('bulk', r));
    await waitFor('1,100 messages to be consumed', () => queue.size === 0, 25_000);

    const res = await query('/data/devices/bulk/readings', {
      from: String(from),
      to: String(now),
      maxPoints: '50',
      metrics: 'temperature',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ metrics: Record<string, { t: number; min: number; max: number; avg: number; count: number }[]> }>();
    expect(Object.keys(body.metrics)).toEqual(['temperature']);
    const intervals = body.metrics['temperature']!;
    expect(intervals.length).toBeLessThanOrEqual(50);
    expect(intervals.reduce((sum, i) => sum + i.count, 0)).toBe(n);
    expect(Math.min(...intervals.map((i) => i.min))).toBe(0);
    expect(Math.max(...intervals.map((i) => i.max))).toBe(49);

    const { readings, pages } = await rawReadings('bulk', from, now, 300);
    expect(pages).toBe(4);
    expect(readings).toEqual(sent.map(({ ts, seq, temperature, humidity }) => ({ ts, seq, values: { temperature, humidity } })));

    // The archive holds every accepted message, grouped in batched hour objects.
    const listed = await aws.s3.send(new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: 'archive/' }));
    const lines: { deviceId: string; seq: number }[] = [];
    for (const o of listed.Contents ?? []) {
      expect(o.Key).toMatch(/^archive\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[0-9a-f]{32}\.jsonl$/);
      const text = await (await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: o.Key! }))).Body!.transformToString();
      lines.push(
        ...text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      );
    }
    const bulkSeqs = new Set(lines.filter((l) => l.deviceId === 'bulk').map((l) => l.seq));
    expect(bulkSeqs.size).toBe(n);
    expect(listed.Contents!.length).toBeLessThan(200); // batched: far fewer objects than messages
  });

  it('orders presence events of one millisecond by connection version, a disconnect after its connect', async () => {
    const stateItem = async (deviceId: string) =>
      (await aws.dynamo.send(new GetCommand({ TableName: aws.tableNames.latest, Key: { deviceId } }))).Item;
    const event = (eventType: string, versionNumber: number, timestamp = now) =>
      JSON.stringify({ kind: 'presence', eventType, clientId: 'blink', timestamp, versionNumber });
    const consumed = (what: string) => waitFor(what, () => queue.size === 0);
    // A device that connects and drops within one millisecond: offline, even when the connect is redelivered.
    queue.send(event('connected', 3));
    await consumed('the connect');
    queue.send(event('disconnected', 3));
    await consumed('the disconnect');
    queue.send(event('connected', 3));
    await consumed('the redelivered connect');
    expect(await stateItem('blink')).toMatchObject({ online: false, presenceAt: now });
    // Its next connection in the same millisecond: online again; the older connection's events no longer count.
    queue.send(event('connected', 4));
    await consumed('the reconnect');
    queue.send(event('disconnected', 3));
    await consumed('the old disconnect, redelivered');
    expect(await stateItem('blink')).toMatchObject({ online: true });
    // An event without a version (written before AWS added it, or by another sender) at a later time still applies.
    queue.send(JSON.stringify({ kind: 'presence', eventType: 'disconnected', clientId: 'blink', timestamp: now + 1 }));
    await consumed('the later disconnect');
    expect(await stateItem('blink')).toMatchObject({ online: false, presenceAt: now + 1 });
    // A version that is not a non-negative integer is refused with a reason, not applied.
    queue.send(event('connected', -1, now + 2));
    await consumed('the bad version');
    expect(await stateItem('blink')).toMatchObject({ online: false, presenceAt: now + 1 });
  });

  it('orders a presence event after a state item written before events carried an order, by its time', async () => {
    await aws.dynamo.send(
      new PutCommand({
        TableName: aws.tableNames.latest,
        Item: { deviceId: 'legacy', online: true, presenceAt: now, lastSeenAt: new Date(now).toISOString() },
      }),
    );
    queue.send(JSON.stringify({ kind: 'presence', eventType: 'disconnected', clientId: 'legacy', timestamp: now - 5, versionNumber: 9 }));
    await waitFor('the older disconnect', () => queue.size === 0);
    let item = (await aws.dynamo.send(new GetCommand({ TableName: aws.tableNames.latest, Key: { deviceId: 'legacy' } }))).Item;
    expect(item).toMatchObject({ online: true, presenceAt: now });
    queue.send(JSON.stringify({ kind: 'presence', eventType: 'disconnected', clientId: 'legacy', timestamp: now + 5, versionNumber: 9 }));
    await waitFor('the newer disconnect', () => queue.size === 0);
    item = (await aws.dynamo.send(new GetCommand({ TableName: aws.tableNames.latest, Key: { deviceId: 'legacy' } }))).Item;
    expect(item).toMatchObject({ online: false, presenceAt: now + 5 });
  });

  it("applies presence events of devices' client ids only, and only when newer, beside the latest reading", async () => {
    const stateItem = async (deviceId: string) =>
      (await aws.dynamo.send(new GetCommand({ TableName: aws.tableNames.latest, Key: { deviceId } }))).Item;
    const presence = (clientId: string, eventType: string, timestamp: number) =>
      JSON.stringify({ kind: 'presence', eventType, clientId, timestamp });
    queue.send(telemetryBody('known', { ts: hourAgo, seq: 1, temperature: 20 }));
    await waitFor('the reading', () => queue.size === 0);
    queue.send(presence('known', 'connected', now - 1000));
    await waitFor('the connect event', () => queue.size === 0);
    queue.send(presence('known', 'disconnected', now - 2000)); // older: out of order
    // A browser's client id is its Cognito identity id: not a device, no state.
    queue.send(presence('us-east-1:0b6f1c3e-94d2-4a4b-9a52-5c7e1f0d2a11', 'connected', now));
    // A device that connects before it ever published gets its state from the event alone.
    queue.send(presence('fresh', 'connected', now));
    await waitFor('the stale, browser and fresh events to be consumed', () => queue.size === 0);
    expect(await stateItem('known')).toMatchObject({
      online: true,
      presenceAt: now - 1000,
      connectedAt: new Date(now - 1000).toISOString(),
      lastSeenAt: new Date(now - 1000).toISOString(),
      ts: hourAgo,
      seq: 1,
      values: { temperature: 20 },
    });
    expect(await stateItem('us-east-1:0b6f1c3e-94d2-4a4b-9a52-5c7e1f0d2a11')).toBeUndefined();
    expect(await stateItem('fresh')).toMatchObject({ online: true, presenceAt: now });

    queue.send(presence('known', 'disconnected', now));
    await waitFor('the disconnect event', () => queue.size === 0);
    expect(await stateItem('known')).toMatchObject({ online: false, presenceAt: now, disconnectReason: 'UNKNOWN' });
    // A newer reading replaces the latest values and leaves presence alone.
    queue.send(telemetryBody('known', { ts: hourAgo + 1, seq: 2, temperature: 21 }));
    await waitFor('the newer reading', () => queue.size === 0);
    expect(await stateItem('known')).toMatchObject({ online: false, presenceAt: now, seq: 2, values: { temperature: 21 } });
    const states = await query('/data/device-states?ids=known,never-seen');
    expect(states.json()).toEqual({
      devices: [
        {
          deviceId: 'known',
          online: false,
          lastSeenAt: new Date(now).toISOString(),
          connectedAt: new Date(now - 1000).toISOString(),
          disconnectReason: 'UNKNOWN',
          latest: { ts: hourAgo + 1, seq: 2, values: { temperature: 21 }, receivedAt: now },
        },
        { deviceId: 'never-seen', online: false },
      ],
    });
  });

  it('prints aggregated EMF lines counting stored, rejected and duplicate readings', () => {
    service.metrics.flush();
    const totals: Record<string, number> = {};
    for (const line of emf) {
      const doc = JSON.parse(line);
      expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Service']]);
      for (const name of ['ReadingsStored', 'ReadingsRejected', 'DuplicateReadings']) totals[name] = (totals[name] ?? 0) + (doc[name] ?? 0);
      expect(doc).not.toHaveProperty('deviceId');
    }
    expect(totals['ReadingsRejected']).toBeGreaterThanOrEqual(2);
    expect(totals['DuplicateReadings']).toBeGreaterThanOrEqual(101);
    expect(totals['ReadingsStored']).toBeGreaterThanOrEqual(1006);
  });
});
