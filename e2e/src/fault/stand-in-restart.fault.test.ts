/**
 * Fault scenario (issue 7, items 5 and "the DynamoDB and S3 stand-ins killed and restarted under
 * load"): while four devices publish with QoS 1, the DynamoDB stand-in (dynalite) and then the S3
 * stand-in (s3rver) are killed with SIGKILL, five times each in a row. The launcher's supervisor
 * must restart each one; while one is down the services' readiness must answer 503 naming it, and
 * 200 once it is back; afterwards every reading IoT Core acknowledged is stored exactly once, per
 * device, and nothing drifted into the ingest dead-letter queue.
 */
import { readFile } from 'node:fs/promises';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ingestQueue } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, waitForStored, type FleetUser } from '../fleet-user.ts';
import { startPlatformProcess, type PlatformProcess } from '../platform-process.ts';
import {
  killRepeatedly,
  platformStatus,
  readingTs,
  recordHealth,
  startPublisher,
  type HealthSample,
  type Publisher,
} from './stand-in-harness.ts';

const devices = 4;
const ratePerSecond = 20;
/** Kills in a row: the supervisor's backoff reaches 8 s, longer than the 5 s readiness cache. */
const killsInARow = 5;

describe('DynamoDB and S3 stand-ins killed under load', () => {
  let platform: PlatformProcess;
  let user: FleetUser;
  let publishers: Publisher[] = [];
  let health: ReturnType<typeof recordHealth>;
  const base = Date.now() - 3_600_000;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    user = await createUser(platform);
    const ca = await readFile(platform.endpoints.caFile, 'utf8');
    const registered = await Promise.all(Array.from({ length: devices }, (_, i) => user.api.registerDevice(`fault ${i}`)));
    publishers = await Promise.all(registered.map((device) => startPublisher({ platform, device, ca, base, ratePerSecond })));
    health = recordHealth(platform.endpoints.gatewayUrl, ['/api/health', '/data/health']);
  });

  afterAll(async () => {
    await Promise.all(publishers.map((p) => p.stop().catch(() => undefined)));
    await health?.stop();
    await platform?.stop();
  }, 60_000);

  const answersBetween = (path: string, from: number, to: number): HealthSample[] =>
    health.samples.filter((s) => s.path === path && s.at >= from && s.at <= to);

  it('restarts dynalite after each kill -9; readiness answers 503 naming DynamoDB while it is down, 200 after', async () => {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const from = Date.now();
    const killed = await killRepeatedly(platform, 'dynalite', killsInARow);
    const back = Date.now();
    await health.allReadySince(back, 60_000);

    const after = (await platformStatus(platform)).components['dynalite'];
    expect(after).toMatchObject({ state: 'up', restarts: killsInARow, lastExit: { signal: 'SIGKILL' } });
    expect(killed).not.toContain(after?.pid);
    const api = answersBetween('/api/health', from, back + 5_000).filter((s) => s.status === 503);
    const data = answersBetween('/data/health', from, back + 5_000).filter((s) => s.status === 503);
    // Each service names the tables it owns (docs/adr/0001-table-ownership.md).
    expect(api.some((s) => s.failed.includes('dynamodb:fleet-devices') && s.failed.includes('dynamodb:fleet-platform-state'))).toBe(true);
    expect(data.some((s) => s.failed.includes('dynamodb:fleet-latest') && s.failed.includes('dynamodb:fleet-telemetry'))).toBe(true);
    // Never a crash or an unexplained error: every answer is 200, or 503 naming a dependency.
    for (const s of answersBetween('/api/health', from, Date.now())) {
      expect(s.status === 200 || (s.status === 503 && s.failed.length > 0), JSON.stringify(s)).toBe(true);
    }
  });

  it('restarts s3rver after each kill -9; the Data Service answers 503 naming S3 while it is down, 200 after', async () => {
    const from = Date.now();
    await killRepeatedly(platform, 's3rver', killsInARow);
    const back = Date.now();
    await health.allReadySince(back, 60_000);

    expect((await platformStatus(platform)).components['s3rver']).toMatchObject({ state: 'up', restarts: killsInARow });
    const data = answersBetween('/data/health', from, back + 5_000).filter((s) => s.status === 503);
    expect(data.some((s) => s.failed.includes('s3:fleet-telemetry'))).toBe(true);
    // The API Service does not use S3: its readiness stays 200 throughout.
    expect(answersBetween('/api/health', from, Date.now()).every((s) => s.status === 200)).toBe(true);
  });

  it('stores every acknowledged reading exactly once per device, and dead-letters none', async () => {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await Promise.all(publishers.map((p) => p.stop()));
    for (const p of publishers) {
      expect(p.errors, `publisher ${p.deviceId}`).toEqual([]);
      expect(p.acked.length).toBeGreaterThan(ratePerSecond * 20);
    }

    // Readings that met a dead stand-in wait for SQS redelivery (15 s, then 30 s: the consumer's backoff).
    for (const p of publishers) {
      const stored = await waitForStored(user, p.deviceId, base, readingTs(base, p.sent.length + 1), p.acked.length, 150_000);
      const seqs = stored.map((r) => r.seq).sort((a, b) => a - b);
      const duplicates = seqs.filter((seq, i) => seqs[i - 1] === seq);
      const lost = p.acked.filter((seq) => !seqs.includes(seq));
      expect({ device: p.deviceId, acknowledged: p.acked.length, lost, duplicates }).toEqual({
        device: p.deviceId,
        acknowledged: p.acked.length,
        lost: [],
        duplicates: [],
      });
      // Nothing stored that was never sent.
      expect(seqs.every((seq) => seq >= 1 && seq <= p.sent.length)).toBe(true);
      console.info(`${p.deviceId}: ${p.acked.length} acknowledged, ${seqs.length} stored, 0 lost, 0 duplicated`);
    }

    const sqs = new SQSClient({
      endpoint: platform.endpoints.awsEndpoint,
      region: platform.endpoints.region,
      credentials: await platform.credentials(),
    });
    const dlqUrl = platform.endpoints.queueUrls[ingestQueue.deadLetter.id];
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    sqs.destroy();
    expect(Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });
});
