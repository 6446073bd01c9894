/**
 * One poison message fails only itself: mixed into the same flushes as valid readings, against
 * dynalite and s3rver, it becomes a dead letter with its reason and every valid reading is stored;
 * nothing reaches the queue's dead-letter queue.
 */
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMetrics } from './emf.ts';
import { createDataService, type DataService } from './service.ts';
import { startLocalAws, type LocalAws } from './testing/local-aws.ts';
import { createMemoryQueue, type MemoryQueue } from './testing/memory-queue.ts';
import { waitFor } from './testing/wait-for.ts';
import { createTestCallers, type TestCallers } from './testing/test-callers.ts';

const logger = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
const now = Date.now();
const base = now - 3_600_000;

const body = (deviceId: string, payload: string, messageId = randomUUID()) =>
  JSON.stringify({
    kind: 'telemetry',
    payload: Buffer.from(payload).toString('base64'),
    deviceId,
    clientId: deviceId,
    receivedAt: now,
    messageId,
  });

let aws: LocalAws;
let queue: MemoryQueue;
let service: DataService;
let callers: TestCallers;

beforeAll(async () => {
  aws = await startLocalAws();
  callers = await createTestCallers();
  // Fast redelivery: a flush failing as a whole would push everything to the DLQ within the test.
  queue = createMemoryQueue({ visibilityTimeoutMs: 1_000, maxReceiveCount: 3 });
  service = createDataService({
    logger,
    verifier: callers.verifier,
    dynamo: aws.dynamo,
    s3: aws.s3,
    queue,
    tables: aws.tableNames,
    bucket: aws.bucket,
    metrics: createMetrics({ namespace: 'Fleet', service: 'data', flushIntervalMs: 0, write: () => undefined }),
    // The consumer is told the queue's short timeout: messages held for their deferred folds (up to
    // 5 s) have it extended instead of coming back while they are still being written.
    consumer: { waitTimeSeconds: 1, flushIntervalMs: 200, retryDelaySeconds: () => 0, visibilityTimeoutSeconds: 1 },
  });
});
afterAll(async () => {
  await service.stop();
  await aws.close();
});

it('stores the 50 valid readings of 5 devices flushed with a deeply nested payload, and dead-letters only that one', async () => {
  const poisonId = randomUUID();
  const hugeId = randomUUID();
  for (let i = 0; i < 50; i++) {
    queue.send(body(`poison-peer-${i % 5}`, JSON.stringify({ ts: base + i, seq: i, temperature: i })));
    if (i === 20) queue.send(body('poisoner', `{"ts":${'['.repeat(60_000)}${']'.repeat(60_000)},"seq":1,"t":1}`, poisonId));
    if (i === 30) queue.send(body('poisoner', `{"ts":${base},"seq":2,"t":1e300}`, hugeId));
  }
  service.start();
  await waitFor('the queue to drain', () => queue.size === 0, 20_000);

  for (let d = 0; d < 5; d++) {
    const res = await service.app.inject({
      url: `/data/devices/poison-peer-${d}/readings/raw`,
      query: { from: String(base), to: String(now) },
      headers: await callers.headers(),
    });
    expect(res.json<{ readings: unknown[] }>().readings).toHaveLength(10);
  }
  expect(queue.deadLetters).toEqual([]);
  const day = new Date(now).toISOString().slice(0, 10).replaceAll('-', '/');
  const reasonOf = async (messageId: string) => {
    const object = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: `dead-letters/ingest/${day}/${messageId}.json` }));
    return (JSON.parse(await object.Body!.transformToString()) as { reason: string }).reason;
  };
  expect(await reasonOf(poisonId)).toMatch(/"ts" must be epoch milliseconds/);
  expect(await reasonOf(hugeId)).toMatch(/metric "t" is 1e\+300/);
  const letters = await aws.s3.send(new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: `dead-letters/ingest/${day}/` }));
  expect(letters.KeyCount).toBe(2);
}, 60_000);
