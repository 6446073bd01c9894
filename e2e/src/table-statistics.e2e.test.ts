/**
 * The raw table's volume end to end: a device publishes over MQTT, and `GET /data/data-usage`
 * (DescribeTable's ItemCount and TableSizeBytes, counted by the local DynamoDB; here every second
 * instead of every 10 minutes) comes to exactly the items a Scan of the table finds once every
 * acknowledged reading is stored (readings share time-bucket items), not dynalite's 0.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { telemetryTable, type DataUsage } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { publishReadings } from './device-publish.ts';
import { createAdmin, waitForStored, type FleetUser } from './fleet-user.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

describe.skipIf(deployedEndpointsFile)('table statistics of the local DynamoDB', () => {
  let platform: PlatformProcess;
  let admin: FleetUser;

  beforeAll(async () => {
    platform = await startPlatformProcess({ launcherArgs: ['--table-stats-interval', '1'] });
    admin = await createAdmin(platform);
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('answers the stored readings as the raw table volume', async () => {
    const base = Date.now() - 60_000;
    const seqs = Array.from({ length: 25 }, (_, i) => i + 1);
    const device = await admin.api.registerDevice('volume-a');
    await publishReadings(platform, device, base, seqs);
    expect(await waitForStored(admin, device.device.deviceId, base, base + 100, seqs.length)).toHaveLength(seqs.length);

    const raw = async () => {
      const res = await fetch(`${platform.endpoints.gatewayUrl}/data/data-usage`, {
        headers: { authorization: `Bearer ${admin.tokens.accessToken}` },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as DataUsage).volumes.find((v) => v.store === 'raw');
    };
    const dynamo = new DynamoDBClient({
      region: platform.endpoints.region,
      endpoint: platform.endpoints.awsEndpoint,
      credentials: await platform.credentials(),
    });
    const scanned = await dynamo.send(new ScanCommand({ TableName: telemetryTable.id, Select: 'COUNT' }));
    dynamo.destroy();
    expect(scanned.Count).toBeGreaterThan(0);

    const deadline = Date.now() + 30_000;
    let volume = await raw();
    while (volume?.items !== scanned.Count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      volume = await raw();
    }
    expect(volume?.items).toBe(scanned.Count);
    // 25 readings, each at least its timestamp, sequence number and value: never dynalite's 0.
    expect(volume?.bytes).toBeGreaterThan(seqs.length * 10);
  }, 90_000);
});
