/**
 * The first end-to-end telemetry path over real processes and sockets: a device publishes over
 * MQTT/TLS with its certificate → IoT Core → rule → SQS → Data Service → DynamoDB, read back
 * through the gateway and the API with a Cognito token, and the device list's presence and latest
 * values, which the API joins from the Data Service. Runs against a fresh local platform, or
 * against a deployed stack with FLEET_E2E_ENDPOINTS=<endpoints file>.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  answerChecker,
  DevicePageSchema,
  DeviceViewSchema,
  generatedPrivateKey,
  ErrorAnswerSchema,
  LatestValuesSchema,
  monitoring,
  rootCaFileName,
  rootCaPath,
  topics,
  type DevicePage,
  type DeviceView,
} from '@fleet/core';
import { FleetApiError } from '@fleet/simulator';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { fleetUnderTest, type FleetUnderTest } from './platform-process.ts';
import { allStoredReadings, connectDevice, createUser, waitForStored, type FleetUser, type RegisteredDevice } from './fleet-user.ts';

describe('telemetry end to end', () => {
  let platform: FleetUnderTest;
  let user: FleetUser;

  beforeAll(async () => {
    platform = await fleetUnderTest(deployedEndpointsFile);
    user = await createUser(platform);
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  const connect = (device: RegisteredDevice): Promise<MqttClient> => connectDevice(platform, device);

  /** Publishes at 80 per second: AWS IoT (and the local broker) disconnect a connection above 100 per second. */
  async function publishSeries(
    client: MqttClient,
    deviceId: string,
    from: number,
    seqs: number[],
    onEach?: (seq: number) => Promise<void>,
  ) {
    let next = Date.now();
    for (const seq of seqs) {
      // Spaced from the previous publish, never caught up after a stall: a catch-up burst on a busy
      // machine went over the quota, and the broker refuses a publish over it (no PUBACK comes).
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      next = Math.max(next, Date.now()) + 12.5;
      await client.publishAsync(topics.telemetry(deviceId), JSON.stringify({ ts: from + seq, seq, temperature: 20 + (seq % 10) }), {
        qos: 1,
      });
      await onEach?.(seq);
    }
  }

  it('stores exactly the 1,000 readings a device publishes with QoS 1, once each', async () => {
    const device = await user.api.registerDevice('e2e thousand');
    const id = device.device.deviceId;
    const client = await connect(device);
    const base = Date.now() - 60_000;
    const seqs = Array.from({ length: 1000 }, (_, i) => i + 1);
    await publishSeries(client, id, base, seqs);
    await client.endAsync();

    const stored = await waitForStored(user, id, base, base + 2000, 1000);
    expect(stored).toHaveLength(1000);
    expect(new Set(stored.map((r) => r.seq)).size).toBe(1000);
    expect(stored.map((r) => r.seq).sort((a, b) => a - b)).toEqual(seqs);
    expect(stored.every((r) => r.ts === base + r.seq)).toBe(true);
  }, 120_000);

  // Needs the task's process: local only (on AWS, stop an ECS task by hand during a simulator run).
  it.skipIf(deployedEndpointsFile)(
    'stores each reading once when the Data Service is killed and replaced while a device publishes',
    async () => {
      const device = await user.api.registerDevice('e2e restart');
      const id = device.device.deviceId;
      const client = await connect(device);
      const base = Date.now() - 30_000;
      const seqs = Array.from({ length: 400 }, (_, i) => i + 1);
      const pid = platform.endpoints.services?.data?.pid;
      expect(pid).toBeGreaterThan(0);
      await publishSeries(client, id, base, seqs, async (seq) => {
        // Kill the task mid-stream, as a crashed container; the launcher starts a replacement.
        if (seq === 150 && pid) process.kill(pid, 'SIGKILL');
      });
      await client.endAsync();

      const stored = await waitForStored(user, id, base, base + 1000, 400, 90_000);
      expect(stored.map((r) => r.seq).sort((a, b) => a - b)).toEqual(seqs);
    },
    150_000,
  );

  it('dead-letters a malformed payload with its reason and stores nothing of it', async () => {
    const device = await user.api.registerDevice('e2e malformed');
    const id = device.device.deviceId;
    const client = await connect(device);
    const base = Date.now() - 10_000;
    await client.publishAsync(topics.telemetry(id), '{"ts": "yesterday", "seq": 1, "temperature": 20}', { qos: 1 });
    await client.publishAsync(topics.telemetry(id), JSON.stringify({ ts: base, seq: 2, temperature: 21 }), { qos: 1 });
    await client.endAsync();

    const stored = await waitForStored(user, id, base - 60_000, base + 60_000, 1);
    expect(stored.map((r) => r.seq)).toEqual([2]);
    const deadline = Date.now() + 30_000;
    let reasons: string[] = [];
    while (Date.now() < deadline) {
      const letters = await user.api.call<{ deadLetters: { deviceId?: string; reason: string }[] }>('GET', '/data/dead-letters?limit=100');
      reasons = letters.deadLetters.filter((l) => l.deviceId === id).map((l) => l.reason);
      if (reasons.length > 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/"ts"/);
  }, 90_000);

  it.skipIf(!existsSync('/usr/bin/mosquitto_pub'))(
    'stores the reading of the ready-to-paste mosquitto_pub command shown at registration',
    async () => {
      const device = await user.api.registerDevice('e2e pasted');
      const id = device.device.deviceId;
      const folder = await mkdtemp(join(tmpdir(), 'fleet-paste-'));
      // The three files the web app offers for download, under the names the command uses; the CA from
      // the API route the web app saves it from (the browser test clicks the buttons themselves).
      const ca = await fetch(new URL(rootCaPath, platform.endpoints.gatewayUrl), {
        headers: { authorization: `Bearer ${user.tokens.accessToken}` },
      });
      expect(ca.status).toBe(200);
      const caPem = await ca.text();
      expect(caPem).toBe(await (await fetch(device.credentials.caUrl)).text());
      await writeFile(join(folder, rootCaFileName), caPem);
      await writeFile(join(folder, `${id}.cert.pem`), device.credentials.certificatePem);
      await writeFile(join(folder, `${id}.private.key`), generatedPrivateKey(device.credentials));
      const before = Date.now();
      await promisify(execFile)('bash', ['-c', device.credentials.mosquittoPub], { cwd: folder, timeout: 15_000 });

      const stored = await waitForStored(user, id, before - 5000, Date.now() + 5000, 1);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ seq: 1, values: { temperature: 21.5 } });
    },
    60_000,
  );

  it("refuses a device publishing on another device's topic and stores nothing there", async () => {
    const [mine, theirs] = await Promise.all([user.api.registerDevice('e2e mine'), user.api.registerDevice('e2e theirs')]);
    const client = await connect(mine);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const base = Date.now() - 5_000;
    // AWS IoT answers an unauthorised publish on MQTT 3.1.1 by closing the connection.
    client.publish(topics.telemetry(theirs.device.deviceId), JSON.stringify({ ts: base, seq: 1, temperature: 99 }), { qos: 1 });
    await closed;
    client.end(true);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await allStoredReadings(user, theirs.device.deviceId, base - 1000, base + 1000)).toEqual([]);
  }, 60_000);
  // Reads CloudWatch with the local root credentials: local only (on AWS, look at the Fleet namespace).
  it.skipIf(deployedEndpointsFile)(
    "turns the Data Service's Embedded Metric Format lines into CloudWatch metrics",
    async () => {
      const credentials = await platform.credentials();
      const cloudwatch = new CloudWatchClient({
        endpoint: platform.endpoints.awsEndpoint,
        region: platform.endpoints.region,
        ...(credentials ? { credentials } : {}),
      });
      const storedSum = async () => {
        const out = await cloudwatch.send(
          new GetMetricStatisticsCommand({
            Namespace: monitoring.namespace,
            MetricName: 'ReadingsStored',
            Dimensions: [{ Name: 'Service', Value: 'data' }],
            StartTime: new Date(Date.now() - 3_600_000),
            EndTime: new Date(Date.now() + 60_000),
            Period: 60,
            Statistics: ['Sum'],
          }),
        );
        return (out.Datapoints ?? []).reduce((sum, d) => sum + (d.Sum ?? 0), 0);
      };
      // Metrics of a killed task are lost with it (as on ECS), so count from now: 100 new readings.
      const before = await storedSum();
      const device = await user.api.registerDevice('e2e metrics');
      const client = await connect(device);
      const base = Date.now() - 20_000;
      await publishSeries(
        client,
        device.device.deviceId,
        base,
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      await client.endAsync();
      expect(await waitForStored(user, device.device.deviceId, base, base + 1000, 100)).toHaveLength(100);
      // The service aggregates and prints its metrics every 10 s.
      await expect.poll(storedSum, { timeout: 30_000, interval: 1000 }).toBeGreaterThanOrEqual(before + 100);
      cloudwatch.destroy();
    },
    60_000,
  );

  // The read model (docs/adr/0001-table-ownership.md): the API answers a device from its registry joined with
  // the Data Service's state, every answer checked against the @fleet/core contract the web app reads it with.
  async function answer<T>(schema: Parameters<typeof answerChecker>[0], path: string): Promise<T> {
    const value = await user.api.call<T>('GET', path);
    expect(answerChecker(schema)(value), path).toMatchObject({ ok: true });
    return value;
  }
  /** A device as the device list shows it, following the pages. */
  async function listed(deviceId: string): Promise<DeviceView | undefined> {
    let cursor: string | undefined;
    do {
      const page = await answer<DevicePage>(
        DevicePageSchema,
        `/api/devices?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      const found = page.items.find((d) => d.deviceId === deviceId);
      if (found) return found;
      cursor = page.nextCursor;
    } while (cursor);
    return undefined;
  }

  it("lists a device with the Data Service's presence and latest reading, and follows it going offline", async () => {
    const online = await user.api.registerDevice('read model online');
    const silent = await user.api.registerDevice('read model silent');
    const id = online.device.deviceId;
    const client = await connectDevice(platform, online);
    const ts = Date.now() - 1000;
    await client.publishAsync(topics.telemetry(id), JSON.stringify({ ts, seq: 1, temperature: 21.5 }), { qos: 1 });

    await expect.poll(async () => (await listed(id))?.latest?.values, { timeout: 30_000, interval: 500 }).toEqual({ temperature: 21.5 });
    expect(await listed(id)).toMatchObject({ name: 'read model online', online: true, latest: { ts, seq: 1 } });
    expect(await listed(silent.device.deviceId)).toMatchObject({ online: false });
    expect(await listed(silent.device.deviceId)).not.toHaveProperty('latest');
    const latest = await answer(LatestValuesSchema, `/api/devices/${id}/telemetry/latest`);
    expect(latest).toMatchObject({ deviceId: id, ts, seq: 1, values: { temperature: 21.5 } });

    await client.endAsync();
    await expect
      .poll(async () => (await answer<DeviceView>(DeviceViewSchema, `/api/devices/${id}`)).online, { timeout: 30_000, interval: 500 })
      .toBe(false);
    expect(await answer<DeviceView>(DeviceViewSchema, `/api/devices/${id}`)).toMatchObject({
      disconnectReason: expect.any(String),
      lastSeenAt: expect.any(String),
      latest: { seq: 1 },
    });
  }, 120_000);

  it('answers 404 with a code of its own: NoReadings before the first reading, DeviceNotFound for no such device', async () => {
    const silent = await user.api.registerDevice('read model quiet');
    const failure = async (path: string) => {
      const err = await user.api.call('GET', path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FleetApiError);
      expect(answerChecker(ErrorAnswerSchema)((err as FleetApiError).body)).toMatchObject({ ok: true });
      return err as FleetApiError;
    };
    expect(await failure(`/api/devices/${silent.device.deviceId}/telemetry/latest`)).toMatchObject({
      status: 404,
      body: { code: 'NoReadings' },
    });
    expect(await failure('/api/devices/no-such-device/telemetry/latest')).toMatchObject({ status: 404, body: { code: 'DeviceNotFound' } });
  });
});
