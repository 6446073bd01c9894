/**
 * The data's volume and modelled cost end to end: two devices publish over MQTT, and
 * `GET /data/data-usage` through the gateway (Cognito authorizer, load balancer 3) answers the
 * devices, the ingest rate the Data Service measured, the archive objects it wrote and the model's
 * monthly cost; a viewer is refused. The launcher gave the bucket the shared lifecycle rules.
 */
import { GetBucketLifecycleConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { answerChecker, bucketLifecycleRules, DataUsageSchema, defaultRetention, telemetryBucket, type DataUsage } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { publishReadings } from './device-publish.ts';
import { createAdmin, createUser, waitForStored, type FleetUser } from './fleet-user.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

describe.skipIf(deployedEndpointsFile)('data usage', () => {
  let platform: PlatformProcess;
  let admin: FleetUser;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    admin = await createAdmin(platform);
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  const usageAs = (user: FleetUser) =>
    fetch(`${platform.endpoints.gatewayUrl}/data/data-usage`, { headers: { authorization: `Bearer ${user.tokens.accessToken}` } });

  it('answers the devices, the measured rate, the archive and the modelled cost of what was published', async () => {
    const base = Date.now() - 60_000;
    const seqs = Array.from({ length: 30 }, (_, i) => i + 1);
    const devices = await Promise.all(['usage-a', 'usage-b'].map((name) => admin.api.registerDevice(name)));
    await Promise.all(devices.map((d) => publishReadings(platform, d, base, seqs)));
    for (const d of devices) expect(await waitForStored(admin, d.device.deviceId, base, base + 100, seqs.length)).toHaveLength(seqs.length);

    const res = await usageAs(admin);
    expect(res.status).toBe(200);
    const usage = (await res.json()) as DataUsage;
    expect(answerChecker(DataUsageSchema)(usage).ok).toBe(true);
    // Every acknowledged reading was stored by this task within the last minutes: the rate counts them.
    expect(usage.model.devices).toBeGreaterThanOrEqual(2);
    expect(usage.model.readingsPerSecond * 300).toBeGreaterThanOrEqual(60);
    expect(usage.volumes.find((v) => v.store === 'archive')?.items).toBeGreaterThan(0);
    expect(usage.model.lines.map((l) => l.item)).toEqual(expect.arrayContaining(['IoT Core messages', 'DynamoDB writes', 'Fargate']));
    expect(usage.model.monthlyUsd).toBeGreaterThan(0);
    expect(usage.model.perMillionReadingsUsd).toBeGreaterThan(0);
  });

  it('refuses a viewer with Forbidden', async () => {
    const viewer = await createUser(platform, { role: 'viewer' });
    const res = await usageAs(viewer);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'Forbidden' });
  });

  it('gave the telemetry bucket the shared lifecycle rules', async () => {
    const s3 = new S3Client({
      region: platform.endpoints.region,
      endpoint: platform.endpoints.awsEndpoint,
      credentials: await platform.credentials(),
      forcePathStyle: true,
    });
    const { Rules } = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: platform.endpoints.bucket }));
    s3.destroy();
    expect(Rules?.map((r) => [r.ID, r.Filter?.Prefix, r.Expiration?.Days])).toEqual(
      bucketLifecycleRules(defaultRetention.archiveDays, telemetryBucket.prefixes).map((r) => [r.id, r.prefix, r.expirationDays]),
    );
  });
});
