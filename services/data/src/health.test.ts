/**
 * `/data/health` tells the truth (issue 7, item 5): 200 only while the consumer runs and DynamoDB,
 * S3 and the queue answer; 503 naming the dependency that does not. `/data/health/live` (what ECS
 * and the ALB check) stays 200 meanwhile, so a dependency outage does not get tasks replaced.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HealthReport } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDataService, type DataServiceOptions } from './service.ts';
import { startLocalAws, type LocalAws } from './testing/local-aws.ts';
import { createMemoryQueue } from './testing/memory-queue.ts';
import { createTestCallers, type TestCallers } from './testing/test-callers.ts';

let aws: LocalAws;
let callers: TestCallers;
beforeAll(async () => {
  aws = await startLocalAws();
  callers = await createTestCallers();
});
afterAll(async () => {
  await aws.close();
});

const service = (overrides: Partial<DataServiceOptions> = {}) =>
  createDataService({
    logger: pino({ level: 'silent' }),
    dynamo: aws.dynamo,
    s3: aws.s3,
    queue: createMemoryQueue(),
    tables: aws.tableNames,
    bucket: aws.bucket,
    verifier: callers.verifier,
    healthCacheMs: 0,
    ...overrides,
  });

async function health(s: ReturnType<typeof service>) {
  const res = await s.app.inject({ url: '/data/health' });
  return { status: res.statusCode, report: res.json<HealthReport>() };
}

it('answers 200 with every dependency checked while the consumer runs and the dependencies answer', async () => {
  const s = service({ healthDependencies: [{ name: 'sqs:fleet-ingest', probe: () => Promise.resolve() }] });
  s.start();
  const { status, report } = await health(s);
  await s.stop();
  expect(status).toBe(200);
  expect(report.status).toBe('ok');
  expect(report.checks.map((c) => `${c.name} ${c.status}`).sort()).toEqual([
    'dynamodb:fleet-data-control ok',
    'dynamodb:fleet-latest ok',
    'dynamodb:fleet-rollups ok',
    'dynamodb:fleet-telemetry ok',
    'ingest-consumer ok',
    's3:fleet-telemetry ok',
    'sqs:fleet-ingest ok',
  ]);
});

it('answers 503 naming DynamoDB while DynamoDB cannot be reached; liveness stays 200', async () => {
  const unreachable = new DynamoDBClient({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const s = service({ dynamo: DynamoDBDocumentClient.from(unreachable) });
  s.start();
  const { status, report } = await health(s);
  const live = await s.app.inject({ url: '/data/health/live' });
  await s.stop();
  unreachable.destroy();
  expect(status).toBe(503);
  expect(report.status).toBe('unavailable');
  const failed = report.checks.filter((c) => c.status === 'failed');
  expect(failed.map((c) => c.name).sort()).toEqual([
    'dynamodb:fleet-data-control',
    'dynamodb:fleet-latest',
    'dynamodb:fleet-rollups',
    'dynamodb:fleet-telemetry',
  ]);
  expect(failed[0]?.error).toMatch(/ECONNREFUSED/);
  expect(report.checks).toContainEqual(expect.objectContaining({ name: 's3:fleet-telemetry', status: 'ok' }));
  expect(live.statusCode).toBe(200);
  expect(live.json()).toEqual({ status: 'ok' });
});

it('answers 503 for a table that does not exist, and for a consumer that is not running', async () => {
  const s = service({ tables: { ...aws.tableNames, telemetry: 'no-such-table' } });
  const { status, report } = await health(s);
  expect(status).toBe(503);
  expect(report.checks).toContainEqual(expect.objectContaining({ name: 'ingest-consumer', status: 'failed' }));
  expect(report.checks).toContainEqual(
    expect.objectContaining({
      name: 'dynamodb:no-such-table',
      status: 'failed',
      error: expect.stringMatching(/^ResourceNotFoundException/),
    }),
  );
});
