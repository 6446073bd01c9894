/**
 * The Device Shadow service over MQTT, with mqtt.js as a device holding a certificate: requests on
 * the request topics, answers on the response topics, deltas of desired changes made over HTTP,
 * AWS's rejections, the policy still deciding, and the PUBACK of an update meaning "stored".
 */
import { GetThingShadowCommand, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { shadowTopics } from '@fleet/core';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFleetPolicies, provisionDevice, startFixture, type Device, type Fixture } from '../../testing/iot-fixture.ts';
import { closed, connectTls, subscribeGranted } from '../../testing/mqtt-test-client.ts';
import { inbox } from './shadow-test-kit.ts';

let fixture: Fixture;
let lamp: Device;
let fan: Device;
const open: MqttClient[] = [];

beforeAll(async () => {
  fixture = await startFixture();
  await createFleetPolicies(fixture.control);
  [lamp, fan] = await Promise.all([provisionDevice(fixture.control, 'lamp'), provisionDevice(fixture.control, 'fan')]);
});
afterEach(() => {
  for (const client of open.splice(0)) client.end(true);
});
afterAll(async () => {
  await fixture.close();
});

async function connect(device: Device) {
  const client = await connectTls(fixture.iot.mqttPort, fixture.iot.caCertificatePem, device, device.thingName);
  open.push(client);
  return { client, messages: inbox(client) };
}

async function subscribeAll(client: MqttClient, filters: readonly string[]) {
  for (const filter of filters) expect(await subscribeGranted(client, filter), filter).toEqual([1]);
}

describe('classic shadow over MQTT', () => {
  it('answers get, update and delete on their accepted and rejected topics, echoing the client token', async () => {
    const { client, messages } = await connect(lamp);
    const t = shadowTopics('lamp');
    await subscribeAll(client, [t.getAccepted, t.getRejected, t.updateAccepted, t.updateRejected, t.deleteAccepted, t.deleteRejected]);

    await client.publishAsync(t.get, '{"clientToken":"g1"}', { qos: 1 });
    expect(await messages.nth(t.getRejected)).toMatchObject({
      code: 404,
      message: "No shadow exists with name: 'lamp'",
      clientToken: 'g1',
    });

    await client.publishAsync(t.update, JSON.stringify({ state: { reported: { power: 'on' } }, clientToken: 'u1' }), { qos: 1 });
    expect(await messages.nth(t.updateAccepted)).toMatchObject({ state: { reported: { power: 'on' } }, version: 1, clientToken: 'u1' });

    await client.publishAsync(t.get, '', { qos: 1 });
    expect(await messages.nth(t.getAccepted)).toMatchObject({ state: { reported: { power: 'on' } }, version: 1 });

    await client.publishAsync(t.delete, '', { qos: 1 });
    expect(await messages.nth(t.deleteAccepted)).toMatchObject({ version: 1 });
    await client.publishAsync(t.delete, '', { qos: 1 });
    expect(await messages.nth(t.deleteRejected)).toMatchObject({ code: 404 });
  });

  it('acknowledges an update only once it is stored', async () => {
    const { client } = await connect(lamp);
    await client.publishAsync(shadowTopics('lamp').update, '{"state":{"reported":{"stored":true}}}', { qos: 1 });
    const shadow = await fixture.data.send(new GetThingShadowCommand({ thingName: 'lamp' }));
    expect(JSON.parse(Buffer.from(shadow.payload ?? new Uint8Array()).toString())).toMatchObject({ state: { reported: { stored: true } } });
  });

  it('rejects invalid JSON and a stale version on /update/rejected', async () => {
    const { client, messages } = await connect(fan);
    const t = shadowTopics('fan');
    await subscribeAll(client, [t.updateAccepted, t.updateRejected]);
    await client.publishAsync(t.update, 'not json', { qos: 1 });
    expect(await messages.nth(t.updateRejected)).toMatchObject({ code: 400, message: 'Invalid JSON' });
    await client.publishAsync(t.update, '{"state":{"reported":{"rpm":1}}}', { qos: 1 });
    const { version } = await messages.nth(t.updateAccepted);
    await client.publishAsync(
      t.update,
      JSON.stringify({ state: { reported: { rpm: 2 } }, version: (version as number) - 1, clientToken: 'old' }),
      {
        qos: 1,
      },
    );
    expect(await messages.nth(t.updateRejected, 2)).toMatchObject({ code: 409, message: 'Version conflict', clientToken: 'old' });
  });
});

describe('named shadow over MQTT', () => {
  it('delivers the delta of a desired change made over HTTP, then the documents of the device report', async () => {
    const { client, messages } = await connect(fan);
    const t = shadowTopics('fan', 'config');
    await subscribeAll(client, [t.updateDelta, t.updateDocuments, t.updateAccepted]);
    await fixture.data.send(
      new UpdateThingShadowCommand({ thingName: 'fan', shadowName: 'config', payload: Buffer.from('{"state":{"desired":{"speed":3}}}') }),
    );
    const delta = await messages.nth(t.updateDelta);
    expect(delta).toMatchObject({ state: { speed: 3 }, version: 1 });
    expect(delta.metadata).toEqual({ speed: { timestamp: expect.any(Number) as number } });

    await client.publishAsync(t.update, JSON.stringify({ state: { reported: delta.state } }), { qos: 1 });
    expect(await messages.nth(t.updateDocuments, 2)).toMatchObject({
      previous: { state: { desired: { speed: 3 } }, version: 1 },
      current: { state: { desired: { speed: 3 }, reported: { speed: 3 } }, version: 2 },
    });
    // The classic shadow of the thing is untouched.
    await expect(fixture.data.send(new GetThingShadowCommand({ thingName: 'fan', shadowName: 'other' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('authorization', () => {
  it('refuses a subscription to another thing shadow topics and closes a device publishing to them', async () => {
    const { client } = await connect(lamp);
    expect(await subscribeGranted(client, shadowTopics('fan').updateDelta)).toEqual([128]);
    const gone = closed(client);
    client.publish(shadowTopics('fan').update, '{"state":{"desired":{"speed":9}}}', { qos: 1 });
    await gone;
  });

  it('closes a device publishing to a response topic, which only the service publishes', async () => {
    const { client } = await connect(lamp);
    const gone = closed(client);
    client.publish(shadowTopics('lamp').updateAccepted, '{"state":{}}', { qos: 1 });
    await gone;
  });
});
