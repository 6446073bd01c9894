/**
 * Alarms through the whole service inside the process: an operator defines an alarm over HTTP, a
 * device's readings arrive on the queue, the alarm becomes ACTIVE and is notified once, the
 * redelivered message changes nothing, and a reading under the threshold clears it.
 */
import { randomUUID } from 'node:crypto';
import { alarmsTable } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../emf.ts';
import { createDataService, type DataService } from '../service.ts';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { createMemoryQueue, type MemoryQueue } from '../testing/memory-queue.ts';
import { createTestCallers, type TestCallers } from '../testing/test-callers.ts';
import { waitFor } from '../testing/wait-for.ts';
import { fakeIot, fakeSns, topicArn, type FakeSns } from './testing/alarm-fixtures.ts';

const body = (deviceId: string, payload: object) =>
  JSON.stringify({
    kind: 'telemetry',
    payload: Buffer.from(JSON.stringify(payload)).toString('base64'),
    deviceId,
    clientId: deviceId,
    receivedAt: Date.now(),
    messageId: randomUUID(),
  });

describe('alarms on the ingest path of the Data Service', () => {
  let aws: LocalAws;
  let queue: MemoryQueue;
  let service: DataService;
  let callers: TestCallers;
  let sns: FakeSns;

  beforeAll(async () => {
    [aws, callers] = await Promise.all([startLocalAws(), createTestCallers()]);
    queue = createMemoryQueue();
    sns = fakeSns();
    service = createDataService({
      logger: pino({ level: 'silent' }),
      verifier: callers.verifier,
      dynamo: aws.dynamo,
      s3: aws.s3,
      queue,
      tables: aws.tableNames,
      bucket: aws.bucket,
      alarms: { table: alarmsTable.id, iot: fakeIot(), sns: sns.client, topicArn, intervalMs: 100 },
      metrics: createMetrics({ namespace: 'Fleet', service: 'data', flushIntervalMs: 0, write: () => undefined }),
      consumer: { waitTimeSeconds: 1, flushIntervalMs: 50, retryDelaySeconds: () => 0 },
    });
    service.start();
  });
  afterAll(async () => {
    await service.stop();
    await aws.close();
  });

  it('activates, notifies once, ignores the redelivery and clears by itself', async () => {
    const created = await service.app.inject({
      method: 'POST',
      url: '/data/alarm-definitions',
      headers: await callers.headers(['operator']),
      payload: {
        name: 'Boiler too hot',
        scope: { kind: 'device', deviceId: 'boiler-1' },
        condition: { kind: 'above', metric: 'temperature', threshold: 80 },
        duration: { kind: 'readings', breaching: 2, of: 3 },
        severity: 'critical',
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;
    const ts = Date.now() - 60_000;
    const hot = [81, 85, 90].map((temperature, seq) => body('boiler-1', { ts: ts + seq * 1000, seq, temperature }));
    for (const b of hot) queue.send(b);
    await waitFor('the queue to drain', () => queue.size === 0);
    queue.send(hot[2]!);
    await waitFor('the redelivery to drain', () => queue.size === 0);
    expect(sns.eventIds()).toEqual([`${id}/boiler-1/1/ACTIVE`]);
    for (const [i, temperature] of [20, 21].entries()) queue.send(body('boiler-1', { ts: ts + 10_000 + i, seq: 10 + i, temperature }));
    await waitFor('the queue to drain', () => queue.size === 0);
    expect(sns.eventIds()).toEqual([`${id}/boiler-1/1/ACTIVE`, `${id}/boiler-1/1/CLEARED`]);
    const alarms = await service.app.inject({ url: `/data/alarms?definitionId=${id}`, headers: await callers.headers(['viewer']) });
    expect(alarms.json()).toMatchObject({ alarms: [{ deviceId: 'boiler-1', status: 'CLEARED', clearedBy: 'auto', value: 85 }] });
  });
});
