import type { Client, PublishPacket } from 'aedes';
import { topics } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { authenticate } from './authenticate.ts';
import { authorizePublish, publishRefusal } from './authorize-publish.ts';
import type { BrokerState } from '../broker-state.ts';
import { provisionDevice, testBrokerState, testClient } from './broker-test-state.ts';

const packet = (topic: string, payload: string | Buffer = '{"ts":1,"seq":1}', qos: 0 | 1 | 2 = 1): PublishPacket => ({
  cmd: 'publish',
  topic,
  payload,
  qos,
  retain: false,
  dup: false,
});

async function connectedDevice(rate = 100) {
  const broker = testBrokerState(rate);
  const { certificate, auth } = provisionDevice(broker.registry, 'alpha');
  const client = testClient(broker.state, 'alpha', auth);
  await authenticate(broker.state, client);
  return { ...broker, client, certificate };
}

const authorized = (state: BrokerState, client: Client | null, publish: PublishPacket) =>
  new Promise<Error | null>((resolve) => authorizePublish(state, client, publish, resolve));

describe('publishRefusal', () => {
  it('allows the telemetry topic of the device and refuses any other topic as AUTH_ERROR', async () => {
    const { state, client } = await connectedDevice();
    expect(publishRefusal(state, client, packet(topics.telemetry('alpha')))).toBeUndefined();
    expect(publishRefusal(state, client, packet(topics.telemetry('beta')))).toMatchObject({ reason: 'AUTH_ERROR' });
  });

  it('refuses reserved topics, QoS 2 and payloads over 128 KB', async () => {
    const { state, client } = await connectedDevice();
    expect(publishRefusal(state, client, packet('$aws/events/presence/connected/alpha'))).toEqual({
      reason: 'AUTH_ERROR',
      message: '$aws/events/presence/connected/alpha is a reserved topic',
    });
    expect(publishRefusal(state, client, packet(topics.telemetry('alpha'), '{}', 2))).toMatchObject({ reason: 'CLIENT_ERROR' });
    expect(publishRefusal(state, client, packet(topics.telemetry('alpha'), Buffer.alloc(128 * 1024 + 1)))).toMatchObject({
      reason: 'CLIENT_ERROR',
      message: `payload of ${128 * 1024 + 1} bytes exceeds ${128 * 1024}`,
    });
  });

  it('lets a device publish its Jobs and Shadow requests under its policy, never another reserved topic', async () => {
    const { state, client, registry, certificate } = await connectedDevice();
    const jobsGet = packet('$aws/things/alpha/jobs/get', '{}');
    const own = (thing: string) => registry.arn('topic', `$aws/things/${thing}/*`);
    registry.createPolicy(
      'device-api',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: own('alpha') }],
      }),
    );
    registry.attachPolicy('device-api', certificate.certificateArn);
    expect(publishRefusal(state, client, jobsGet)).toBeUndefined();
    expect(publishRefusal(state, client, packet('$aws/things/alpha/shadow/update', '{}'))).toBeUndefined();
    expect(publishRefusal(state, client, packet('$aws/things/beta/jobs/get', '{}'))?.reason).toBe('AUTH_ERROR');
    expect(publishRefusal(state, client, packet('$aws/events/presence/connected/alpha'))?.message).toMatch(/reserved topic/);
  });

  it("allows its own shadow and jobs request topics, refuses another device's by the policy and a response topic as reserved", async () => {
    const { state, client } = await connectedDevice();
    expect(publishRefusal(state, client, packet('$aws/things/alpha/shadow/update'))).toBeUndefined();
    expect(publishRefusal(state, client, packet('$aws/things/alpha/jobs/start-next'))).toBeUndefined();
    expect(publishRefusal(state, client, packet('$aws/things/beta/shadow/update'))?.message).toMatch(
      /^iot:Publish on \$aws\/things\/beta\/shadow\/update/,
    );
    expect(publishRefusal(state, client, packet('$aws/things/alpha/shadow/update/accepted'))).toEqual({
      reason: 'AUTH_ERROR',
      message: '$aws/things/alpha/shadow/update/accepted is a reserved topic',
    });
  });

  it('refuses the publish over the per-connection rate as THROTTLED', async () => {
    const { state, client } = await connectedDevice(2);
    const refusals = [1, 2, 3].map(() => publishRefusal(state, client, packet(topics.telemetry('alpha')))?.reason);
    expect(refusals).toEqual([undefined, undefined, 'THROTTLED']);
  });

  it('refuses a connection without session', () => {
    const { state } = testBrokerState();
    expect(publishRefusal(state, testClient(state, 'x'), packet('t'))).toEqual({
      reason: 'AUTH_ERROR',
      message: 'no authenticated session',
    });
  });
});

describe('authorizePublish', () => {
  it('hands an allowed publish to the listeners with the publisher, then releases the PUBACK', async () => {
    const { state, client, certificate, messages } = await connectedDevice();
    expect(await authorized(state, client, packet(topics.telemetry('alpha'), '{"v":1}'))).toBeNull();
    expect(messages).toEqual([
      expect.objectContaining({
        topic: topics.telemetry('alpha'),
        payload: Buffer.from('{"v":1}'),
        clientId: 'alpha',
        principal: certificate.certificateId,
        qos: 1,
      }),
    ]);
  });

  it('withholds the PUBACK (an error closes the connection) when the listeners could not make the message durable', async () => {
    const { state, client, refuseWith } = await connectedDevice();
    refuseWith('queue unavailable');
    expect(await authorized(state, client, packet(topics.telemetry('alpha')))).toMatchObject({
      message: 'not acknowledged: queue unavailable',
    });
    expect(state.sessions.get(client)?.disconnectReason).toBe('SERVER_ERROR');
  });

  it('refuses a forbidden publish without telling the listeners, and notes the disconnect reason', async () => {
    const { state, client, messages } = await connectedDevice();
    expect(await authorized(state, client, packet(topics.telemetry('beta')))).toBeInstanceOf(Error);
    expect(messages).toEqual([]);
    expect(state.sessions.get(client)?.disconnectReason).toBe('AUTH_ERROR');
  });

  it('lets the service publish (no client) through: it reaches the listeners by the published hook instead', async () => {
    const { state, messages } = testBrokerState();
    expect(await authorized(state, null, packet('anything'))).toBeNull();
    expect(messages).toEqual([]);
  });
});
