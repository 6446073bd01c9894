/**
 * The consumer through the real SQSClient against the local cloud's SQS stand-in (AWS JSON
 * protocol), with dynalite and s3rver: the code path the service runs in production. Also the
 * dead-letter replay of both kinds: error-action objects re-sent through SQS SendMessageBatch, and
 * the dead-letter queue redriven with an SQS message move task.
 */
import { randomUUID } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { topics } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsHarness, type SqsHarness } from '@fleet/local-cloud/testing';
import { createMetrics } from './emf.ts';
import { createSqsIngestQueue } from './ingest-queue.ts';
import { createQueueRedrive } from './queue-redrive.ts';
import { createSqsQueueSender, ruleDeadLetterPrefix } from './replay.ts';
import { createDataService } from './service.ts';
import { createTestCallers, type TestCallers } from './testing/test-callers.ts';
import type { DataService } from './service.ts';
import { startLocalAws } from './testing/local-aws.ts';
import type { LocalAws } from './testing/local-aws.ts';
import { waitFor } from './testing/wait-for.ts';

const logger = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
const now = Date.now();
const from = now - 3_600_000;

interface RawPage {
  readings: { ts: number; seq: number }[];
  nextCursor?: string;
}

describe('ingest through the SQS stand-in', () => {
  let aws: LocalAws;
  let queues: SqsHarness;
  let sqs: SQSClient;
  let queueUrl: string;
  let deadLetterQueueUrl: string;
  let service: DataService;
  let callers: TestCallers;

  const inFlight = async () => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  };
  const raw = async (deviceId: string) => {
    const res = await service.app.inject({
      url: `/data/devices/${deviceId}/readings/raw`,
      query: { from: String(from - 1000), to: String(now), limit: '1000' },
      headers: await callers.headers(),
    });
    expect(res.statusCode).toBe(200);
    return res.json<RawPage>().readings;
  };

  /** POST /internal/dead-letters/replay with an admin's token; the 200 answer's body. */
  const replayAsAdmin = async () => {
    const res = await service.app.inject({
      method: 'POST',
      url: '/internal/dead-letters/replay',
      headers: await callers.headers(['admin']),
    });
    expect(res.statusCode).toBe(200);
    return res.json<unknown>();
  };

  beforeAll(async () => {
    callers = await createTestCallers();
    aws = await startLocalAws();
    queues = await startSqsHarness();
    sqs = queues.sqs;
    deadLetterQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'fleet-ingest-dlq' }))).QueueUrl!;
    const RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:fleet-ingest-dlq',
      maxReceiveCount: 5,
    });
    queueUrl = (
      await sqs.send(new CreateQueueCommand({ QueueName: 'fleet-ingest', Attributes: { VisibilityTimeout: '60', RedrivePolicy } }))
    ).QueueUrl!;
    service = createDataService({
      logger,
      verifier: callers.verifier,
      dynamo: aws.dynamo,
      s3: aws.s3,
      queue: createSqsIngestQueue({ client: sqs, queueUrl }),
      sender: createSqsQueueSender({ client: sqs, queueUrl }),
      redrive: createQueueRedrive({ client: sqs, deadLetterQueueUrl, destinationQueueUrl: queueUrl, pollMs: 50 }),
      tables: aws.tableNames,
      bucket: aws.bucket,
      metrics: createMetrics({ namespace: 'Fleet', service: 'data', flushIntervalMs: 0, write: () => {} }),
      consumer: { waitTimeSeconds: 1, flushIntervalMs: 50 },
    });
    service.start();
  });

  afterAll(async () => {
    await service.stop();
    await queues.close();
    await aws.close();
  });

  it('consumes and deletes every message, storing duplicated readings once', async () => {
    const bodies = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({
        kind: 'telemetry',
        payload: Buffer.from(JSON.stringify({ ts: from + (i % 20) * 1000, seq: i % 20, temperature: i % 20 })).toString('base64'),
        deviceId: 'via-sqs',
        clientId: 'via-sqs',
        receivedAt: now,
        messageId: randomUUID(),
      }),
    );
    for (let i = 0; i < bodies.length; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.slice(i, i + 10).map((MessageBody, j) => ({ Id: String(j), MessageBody })),
        }),
      );
    }
    await waitFor('the queue to drain', async () => (await inFlight()) === 0);
    const readings = await raw('via-sqs');
    expect(readings.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('replays an IoT rule error-action dead letter onto the queue, stores it, and deletes the object', async () => {
    const key = `${ruleDeadLetterPrefix}2024/11/24/09/${randomUUID()}.json`;
    const original = { ts: from + 500_000, seq: 77, temperature: 30 };
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: aws.bucket,
        Key: key,
        Body: JSON.stringify({
          ruleName: 'fleet_telemetry_ingest',
          topic: topics.telemetry('replayed'),
          cloudwatchTraceId: randomUUID(),
          clientId: 'replayed',
          base64OriginalPayload: Buffer.from(JSON.stringify(original)).toString('base64'),
          failures: [{ failedAction: 'SqsAction', failedResource: 'fleet-ingest', errorMessage: 'Failed to send message to SQS' }],
        }),
      }),
    );
    const listed = await service.app.inject({ url: '/data/dead-letters', headers: await callers.headers(['operator']) });
    expect(listed.json()).toMatchObject({
      backlog: { errorActionMessages: 1, errorActionMessagesMore: false, deadLetterQueueMessages: 0 },
    });
    // Replay changes state: only an admin's token (which the API Service forwards) may ask for it.
    const anonymous = await service.app.inject({ method: 'POST', url: '/internal/dead-letters/replay' });
    expect(anonymous.statusCode).toBe(401);
    expect(await replayAsAdmin()).toEqual({
      errorAction: { replayed: 1, skipped: 0, remaining: false },
      deadLetterQueue: { status: 'NOTHING_TO_MOVE', moved: 0, toMove: 0 },
    });
    await expect(aws.s3.send(new HeadObjectCommand({ Bucket: aws.bucket, Key: key }))).rejects.toMatchObject({ name: 'NotFound' });
    await waitFor('the replayed reading to be stored', async () => (await raw('replayed')).length === 1);
    expect(await raw('replayed')).toEqual([{ ts: original.ts, seq: 77, values: { temperature: 30 } }]);
  });

  it('replays the dead-letter queue onto the ingest queue with a message move task, and stores each reading once', async () => {
    const reading = (seq: number) =>
      JSON.stringify({
        kind: 'telemetry',
        payload: Buffer.from(JSON.stringify({ ts: from + 900_000 + seq, seq, temperature: seq })).toString('base64'),
        deviceId: 'from-dlq',
        clientId: 'from-dlq',
        receivedAt: now,
        messageId: randomUUID(),
      });
    // Three readings, one of them twice (a redelivery that failed both times).
    for (const seq of [1, 2, 3, 3]) await sqs.send(new SendMessageCommand({ QueueUrl: deadLetterQueueUrl, MessageBody: reading(seq) }));
    const before = await service.app.inject({ url: '/data/dead-letters', headers: await callers.headers(['operator']) });
    expect(before.json()).toMatchObject({ backlog: { deadLetterQueueMessages: 4 } });

    expect(await replayAsAdmin()).toEqual({
      errorAction: { replayed: 0, skipped: 0, remaining: false },
      deadLetterQueue: { status: 'COMPLETED', moved: 4, toMove: 4 },
    });
    await waitFor('the replayed readings to be stored', async () => (await raw('from-dlq')).length === 3);
    await waitFor('the queue to drain', async () => (await inFlight()) === 0);
    expect((await raw('from-dlq')).map((r) => r.seq)).toEqual([1, 2, 3]);
    const after = await service.app.inject({ url: '/data/dead-letters', headers: await callers.headers(['operator']) });
    expect(after.json()).toMatchObject({
      backlog: { deadLetterQueueMessages: 0, deadLetterQueueReplay: { status: 'COMPLETED', moved: 4, toMove: 4 } },
    });
  });
});
