/**
 * The read model over real processes (docs/adr/0001-table-ownership.md): the API Service answers a
 * device from its registry joined with the Data Service's state (presence from IoT lifecycle
 * events, the latest reading), every answer in its `@fleet/core` contract; each service's task
 * credentials reach its own tables only, as the local AWS port enforces the shared IAM definitions.
 */
import { readFile } from 'node:fs/promises';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  answerChecker,
  DevicePageSchema,
  DeviceViewSchema,
  devicesTable,
  ErrorAnswerSchema,
  latestTable,
  LatestValuesSchema,
  topics,
  type DevicePage,
  type DeviceView,
} from '@fleet/core';
import { FleetApiError } from '@fleet/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, createUser, type FleetUser } from './fleet-user.ts';
import { deployedEndpointsFile, fleetUnderTest, type FleetUnderTest } from './platform-process.ts';

describe('the read model', () => {
  let platform: FleetUnderTest;
  let user: FleetUser;

  beforeAll(async () => {
    platform = await fleetUnderTest();
    user = await createUser(platform);
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  /** An API answer, checked against the contract the web app reads it with. */
  async function answer<T>(schema: Parameters<typeof answerChecker>[0], path: string): Promise<T> {
    const value = await user.api.call<T>('GET', path);
    expect(answerChecker(schema)(value), path).toMatchObject({ ok: true });
    return value;
  }
  const listed = async (deviceId: string) =>
    (await answer<DevicePage>(DevicePageSchema, '/api/devices?limit=100')).items.find((d) => d.deviceId === deviceId);

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

  it.skipIf(deployedEndpointsFile)("lets each service's task credentials read its own tables only", async () => {
    const { tasks } = JSON.parse(await readFile(platform.endpoints.credentialsFile ?? '', 'utf8')) as {
      tasks: Record<'api' | 'data', { accessKeyId: string; secretAccessKey: string }>;
    };
    const endpoint = (platform.endpoints as { awsEndpoint?: string }).awsEndpoint;
    const getItem = (service: 'api' | 'data', table: string) =>
      new DynamoDBClient({ endpoint, region: platform.endpoints.region, credentials: tasks[service], maxAttempts: 1 }).send(
        new GetItemCommand({ TableName: table, Key: { deviceId: { S: 'any' } } }),
      );
    await expect(getItem('api', devicesTable.id)).resolves.toBeDefined();
    await expect(getItem('data', latestTable.id)).resolves.toBeDefined();
    await expect(getItem('api', latestTable.id)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`fleet-api-task-role/api-task is not authorized to perform: dynamodb:GetItem`),
    });
    await expect(getItem('data', devicesTable.id)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('fleet-data-task-role'),
    });
  });
});
