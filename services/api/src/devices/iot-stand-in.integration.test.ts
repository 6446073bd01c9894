/**
 * Registration and revocation through the real `IoTClient` / `IoTDataPlaneClient` against the
 * local IoT stand-in (wire protocol, registry, broker with mutual TLS): the credentials the API
 * answers let a device connect and publish its telemetry, and stop working
 * once the device is revoked; configuration and commands go through the shadow and jobs stand-ins
 * to a device answering over MQTT.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  AddThingToThingGroupCommand,
  CreateThingGroupCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  ListThingPrincipalsCommand,
  ListThingsInThingGroupCommand,
} from '@aws-sdk/client-iot';
import { GetThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import type { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { FastifyInstance } from 'fastify';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTls, createFleetPolicies, eventually, startIotFixture, type IotFixture } from '@fleet/local-cloud/testing';
import { buildApp } from '../app.ts';
import { createTokenVerifier } from '@fleet/core/tokens';
import { asCaller } from '../test-support/as-caller.ts';
import { startTestDynamo, type TestDynamo } from '../test-support/dynalite-tables.ts';
import { fakeAwsClient } from '../test-support/fake-aws-client.ts';
import { testConfig, testPool } from '../test-support/test-app.ts';
import { createTestTokens, type TestTokens } from '@fleet/core/tokens/testing';
import type { SNSClient } from '@aws-sdk/client-sns';

/** SNS is not called here: any call fails naming its command. */
const noSns = fakeAwsClient<SNSClient>().client;
const noCloudWatch = fakeAwsClient<CloudWatchClient>().client;

let fixture: IotFixture;
let dynamo: TestDynamo;
let tokens: TestTokens;
let app: FastifyInstance;
const clients: MqttClient[] = [];

/** The API Service over the IoT stand-in and dynalite (Cognito is not called here). */
function apiOverStandIns(config: Partial<typeof testConfig>): Promise<FastifyInstance> {
  const logger = pino({ level: 'silent' });
  return buildApp({
    config: { ...testConfig, ...config },
    clients: {
      iot: fixture.control,
      iotData: fixture.data,
      dynamo: dynamo.doc,
      sns: noSns,
      cloudwatch: noCloudWatch,
      cognito: fakeAwsClient<CognitoIdentityProviderClient>().client,
      cognitoIdentity: fakeAwsClient<CognitoIdentityClient>().client,
    },
    verifier: createTokenVerifier({ ...testPool, loadJwks: async () => tokens.jwks, logger }),
    logger,
    docsUi: false,
  });
}

beforeAll(async () => {
  fixture = await startIotFixture();
  await createFleetPolicies(fixture.control);
  dynamo = await startTestDynamo();
  tokens = await createTestTokens(testPool);
  // What the launcher sets: the host DescribeEndpoint answers in the local cloud.
  app = await apiOverStandIns({ iotEndpoint: '127.0.0.1' });
  await app.ready();
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await app?.close();
  await dynamo?.close();
  await fixture?.close();
});

describe('device lifecycle against the IoT stand-in', () => {
  it('registers a device whose credentials connect and publish, then revokes it', async () => {
    const auth = `Bearer ${await tokens.accessToken({ groups: ['operator'] })}`;
    const res = await asCaller(app, auth).post('/api/devices', { name: 'Lab bench', deviceId: 'lab-1' });
    expect(res.statusCode).toBe(201);
    const { device, credentials } = res.json();
    expect(credentials.endpoint).toBe('127.0.0.1');

    const thing = await fixture.control.send(new DescribeThingCommand({ thingName: 'lab-1' }));
    expect(thing.attributes).toEqual({ owner: 'sub-alice', name: 'Lab_bench' });
    const principals = await fixture.control.send(new ListThingPrincipalsCommand({ thingName: 'lab-1' }));
    expect(principals.principals).toEqual([device.certificateArn]);

    // The device connects with what the API answered and publishes telemetry.
    const identity = { certificatePem: credentials.certificatePem, privateKeyPem: credentials.privateKey };
    const heard: string[] = [];
    fixture.iot.onMessage((m) => heard.push(m.topic));
    const client = await connectTls(fixture.iot.mqttPort, fixture.iot.caCertificatePem, identity, 'lab-1');
    clients.push(client);
    await client.publishAsync(credentials.topic, JSON.stringify({ ts: Date.now(), seq: 1, temperature: 21.5 }), { qos: 1 });
    await eventually(() => heard.includes('fleet/devices/lab-1/telemetry'), 5_000, 'telemetry at the broker');
    client.end(true);

    const revoked = await asCaller(app, auth).delete('/api/devices/lab-1');
    expect(revoked.statusCode).toBe(204);
    await expect(fixture.control.send(new DescribeThingCommand({ thingName: 'lab-1' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(fixture.control.send(new DescribeCertificateCommand({ certificateId: device.certificateId }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(connectTls(fixture.iot.mqttPort, fixture.iot.caCertificatePem, identity, 'lab-1')).rejects.toThrow();
  });

  it("changes a device's configuration and commands it through AWS IoT's shadow and jobs; the device answers over MQTT", async () => {
    const auth = `Bearer ${await tokens.accessToken({ groups: ['operator'], username: 'olga' })}`;
    const api = asCaller(app, auth);
    const { credentials } = (await api.post('/api/devices', { name: 'Lab pump', deviceId: 'lab-2' })).json();
    const identity = { certificatePem: credentials.certificatePem, privateKeyPem: credentials.privateKey };
    const client = await connectTls(fixture.iot.mqttPort, fixture.iot.caCertificatePem, identity, 'lab-2');
    clients.push(client);
    const received: { topic: string; body: Record<string, any> }[] = [];
    client.on('message', (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString()) }));
    const next = async (topic: string) => {
      await eventually(() => received.some((m) => m.topic === topic), 5_000, topic);
      const index = received.findIndex((m) => m.topic === topic);
      return received.splice(index, 1)[0]!.body;
    };
    const things = '$aws/things/lab-2';
    await client.subscribeAsync(
      [
        `${things}/shadow/update/delta`,
        `${things}/jobs/notify-next`,
        `${things}/jobs/start-next/accepted`,
        `${things}/jobs/+/update/accepted`,
      ],
      { qos: 1 },
    );

    // Configuration: the desired change reaches the device as a delta; its report clears it.
    const changed = await api.put('/api/devices/lab-2/config', { desired: { reportIntervalSeconds: 5, mode: 'eco' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ version: 1, pending: { reportIntervalSeconds: 5, mode: 'eco' } });
    expect((await next(`${things}/shadow/update/delta`)).state).toEqual({ reportIntervalSeconds: 5, mode: 'eco' });
    await client.publishAsync(
      `${things}/shadow/update`,
      JSON.stringify({ state: { reported: { reportIntervalSeconds: 5, mode: 'eco' } } }),
      {
        qos: 1,
      },
    );
    await expect.poll(async () => (await api.get('/api/devices/lab-2/config')).json().pending, { timeout: 5_000 }).toEqual({});
    const config = (await api.get('/api/devices/lab-2/config')).json();
    expect(config).toMatchObject({
      version: 2,
      desired: { mode: 'eco' },
      reported: { reportIntervalSeconds: 5, mode: 'eco' },
      pending: {},
    });
    expect(Date.parse(config.reportedAt)).toBeGreaterThan(Date.now() - 60_000);
    // A change made from an older read is refused by the shadow's optimistic lock.
    const stale = await api.put('/api/devices/lab-2/config', { desired: { mode: 'boost' }, expectedVersion: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('ConfigVersionConflict');

    // A command is a job: notify-next tells the device, start-next hands it over, the update finishes it.
    const sent = (await api.post('/api/devices/lab-2/commands', { command: 'ping', args: { n: 1 } })).json();
    expect((await next(`${things}/jobs/notify-next`)).execution).toMatchObject({ jobId: sent.commandId, status: 'QUEUED' });
    expect((await api.get('/api/devices/lab-2/commands')).json().items).toMatchObject([{ commandId: sent.commandId, status: 'QUEUED' }]);
    await client.publishAsync(`${things}/jobs/start-next`, JSON.stringify({ clientToken: 't-1' }), { qos: 1 });
    const started = await next(`${things}/jobs/start-next/accepted`);
    expect(started).toMatchObject({ clientToken: 't-1', execution: { jobId: sent.commandId, status: 'IN_PROGRESS' } });
    expect(started.execution.jobDocument).toMatchObject({ command: 'ping', args: { n: 1 }, issuedBy: 'olga' });
    await client.publishAsync(
      `${things}/jobs/${sent.commandId}/update`,
      JSON.stringify({ status: 'SUCCEEDED', statusDetails: { pong: 'yes' }, expectedVersion: started.execution.versionNumber }),
      { qos: 1 },
    );
    await next(`${things}/jobs/${sent.commandId}/update/accepted`);
    expect((await api.get('/api/devices/lab-2/commands')).json().items[0]).toMatchObject({
      commandId: sent.commandId,
      command: 'ping',
      status: 'SUCCEEDED',
      answer: { pong: 'yes' },
    });
    expect((await api.get(`/api/commands/${sent.commandId}`)).json()).toMatchObject({ status: 'COMPLETED', counts: { SUCCEEDED: 1 } });
    // Finished: no cancel any more.
    const late = await api.post(`/api/devices/lab-2/commands/${sent.commandId}/cancel`, {});
    expect(late.json().code).toBe('CommandStateConflict');

    // To a thing group: the group's ARN is the target, and the device's execution waits QUEUED until canceled.
    await fixture.control.send(new CreateThingGroupCommand({ thingGroupName: 'pumps' }));
    await fixture.control.send(new AddThingToThingGroupCommand({ thingGroupName: 'pumps', thingName: 'lab-2' }));
    const toGroup = await api.post('/api/commands', { command: 'reboot', group: 'pumps' });
    expect(toGroup.statusCode).toBe(202);
    expect(toGroup.json().targets).toEqual([expect.stringMatching(/:thinggroup\/pumps$/)]);
    expect((await api.get(`/api/commands/${toGroup.json().commandId}`)).json().counts).toMatchObject({ QUEUED: 1 });
    expect((await api.post(`/api/commands/${toGroup.json().commandId}/cancel`, {})).statusCode).toBe(204);
    expect((await api.get('/api/devices/lab-2/commands')).json().items[0]).toMatchObject({ command: 'reboot', status: 'CANCELED' });

    // Revocation deletes the shadow with the thing: a device registered again under this id starts empty.
    client.end(true);
    expect((await api.delete('/api/devices/lab-2')).statusCode).toBe(204);
    await expect(fixture.data.send(new GetThingShadowCommand({ thingName: 'lab-2' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('adds devices to a thing group in bulk, creating the group, and names the device that is no thing', async () => {
    const auth = `Bearer ${await tokens.accessToken({ groups: ['operator'] })}`;
    const api = asCaller(app, auth);
    for (const deviceId of ['bulk-1', 'bulk-2'])
      expect((await api.post('/api/devices', { name: deviceId, deviceId })).statusCode).toBe(201);
    const res = await api.post('/api/devices/bulk', {
      action: 'addToGroup',
      group: 'greenhouse',
      deviceIds: ['bulk-1', 'bulk-2', 'nobody-9'],
    });
    expect(res.json()).toMatchObject({ succeeded: 2, failed: 1 });
    expect(res.json().results[2]).toMatchObject({ deviceId: 'nobody-9', ok: false, code: 'DeviceNotFound' });
    const members = await fixture.control.send(new ListThingsInThingGroupCommand({ thingGroupName: 'greenhouse' }));
    expect(members.things?.sort()).toEqual(['bulk-1', 'bulk-2']);
    // Again: the group exists now and a thing already in it stays in it once.
    expect(
      (await api.post('/api/devices/bulk', { action: 'addToGroup', group: 'greenhouse', deviceIds: ['bulk-1'] })).json(),
    ).toMatchObject({
      succeeded: 1,
    });
    const revoked = await api.post('/api/devices/bulk', { action: 'revoke', deviceIds: ['bulk-1', 'bulk-2'] });
    expect(revoked.json()).toMatchObject({ succeeded: 2, failed: 0 });
    await expect(fixture.control.send(new DescribeThingCommand({ thingName: 'bulk-1' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('leaves no thing behind when the policy to attach does not exist', async () => {
    const auth = `Bearer ${await tokens.accessToken({ groups: ['admin'] })}`;
    const broken = await apiOverStandIns({ devicePolicyName: 'no-such-policy' });
    try {
      const res = await asCaller(broken, auth).post('/api/devices', { name: 'x', deviceId: 'orphan-1' });
      expect(res.statusCode).toBe(500);
      await expect(fixture.control.send(new DescribeThingCommand({ thingName: 'orphan-1' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    } finally {
      await broken.close();
    }
  });
});
