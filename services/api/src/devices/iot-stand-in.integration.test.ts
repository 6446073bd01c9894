/**
 * Registration and revocation through the real `IoTClient` / `IoTDataPlaneClient` against the
 * local IoT stand-in (wire protocol, registry, broker with mutual TLS): the credentials the API
 * answers let a device connect, publish its telemetry and receive commands, and stop working
 * once the device is revoked.
 */
import { DescribeThingCommand, ListThingPrincipalsCommand, DescribeCertificateCommand } from '@aws-sdk/client-iot';
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
  it('registers a device whose credentials connect, publish and receive commands, then revokes it', async () => {
    const auth = `Bearer ${await tokens.accessToken({ groups: ['operator'] })}`;
    const res = await asCaller(app, auth).post('/api/devices', { name: 'Lab bench', deviceId: 'lab-1' });
    expect(res.statusCode).toBe(201);
    const { device, credentials } = res.json();
    expect(credentials.endpoint).toBe('127.0.0.1');

    const thing = await fixture.control.send(new DescribeThingCommand({ thingName: 'lab-1' }));
    expect(thing.attributes).toEqual({ owner: 'sub-alice', name: 'Lab_bench' });
    const principals = await fixture.control.send(new ListThingPrincipalsCommand({ thingName: 'lab-1' }));
    expect(principals.principals).toEqual([device.certificateArn]);

    // The device connects with what the API answered, publishes telemetry and receives a command.
    const identity = { certificatePem: credentials.certificatePem, privateKeyPem: credentials.privateKey };
    const heard: string[] = [];
    fixture.iot.onMessage((m) => heard.push(m.topic));
    const client = await connectTls(fixture.iot.mqttPort, fixture.iot.caCertificatePem, identity, 'lab-1');
    clients.push(client);
    await client.publishAsync(credentials.topic, JSON.stringify({ ts: Date.now(), seq: 1, temperature: 21.5 }), { qos: 1 });
    await eventually(() => heard.includes('fleet/devices/lab-1/telemetry'), 5_000, 'telemetry at the broker');
    const commands: string[] = [];
    client.on('message', (_topic, payload) => commands.push(payload.toString()));
    await client.subscribeAsync('fleet/devices/lab-1/commands', { qos: 1 });
    const sent = await asCaller(app, auth).post('/api/devices/lab-1/commands', { command: 'blink', args: { times: 2 } });
    expect(sent.statusCode).toBe(202);
    await eventually(() => commands.length > 0, 5_000, 'the command at the device');
    expect(JSON.parse(commands[0] ?? '{}')).toMatchObject({ commandId: sent.json().commandId, command: 'blink', args: { times: 2 } });
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
