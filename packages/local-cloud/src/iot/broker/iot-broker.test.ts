import { AttachPolicyCommand, CreateKeysAndCertificateCommand, CreatePolicyCommand, UpdateCertificateCommand } from '@aws-sdk/client-iot';
import { UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { browserPolicyName, shadowTopics, topics } from '@fleet/core';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../index.ts';
import { createFleetPolicies, provisionDevice, region, startFixture, type Device, type Fixture } from '../../testing/iot-fixture.ts';
import { closed, connectTls, connectWs, eventually, subscribeGranted } from '../../testing/mqtt-test-client.ts';
import { presignIotWebSocketUrl } from './sigv4-presigned-url.ts';

const browserIdentity = `${region}:7c3e2a10-aaaa-bbbb-cccc-000000000001`;
const browserCredentials = { accessKeyId: 'ASIALOCALBROWSER', secretAccessKey: 'browser-secret', sessionToken: 'browser-token/+=' };

let fixture: Fixture;
let alpha: Device;
let beta: Device;
const messages: BrokerMessage[] = [];
const open: MqttClient[] = [];

beforeAll(async () => {
  fixture = await startFixture({
    resolveCredentials: (accessKeyId) =>
      accessKeyId === browserCredentials.accessKeyId
        ? {
            secretAccessKey: browserCredentials.secretAccessKey,
            sessionToken: browserCredentials.sessionToken,
            identityId: browserIdentity,
          }
        : undefined,
  });
  fixture.iot.onMessage((m) => messages.push(m));
  await createFleetPolicies(fixture.control);
  await fixture.control.send(new AttachPolicyCommand({ policyName: browserPolicyName, target: browserIdentity }));
  [alpha, beta] = await Promise.all([provisionDevice(fixture.control, 'alpha'), provisionDevice(fixture.control, 'beta')]);
});
afterEach(() => {
  for (const c of open.splice(0)) c.end(true);
});
afterAll(async () => {
  await fixture.close();
});

const track = (client: MqttClient) => {
  open.push(client);
  return client;
};
const device = (d: Device, clientId = d.thingName) =>
  connectTls(fixture.iot.mqttPort, fixture.iot.caCertificatePem, d, clientId).then(track);
const seen = (topic: string, payload?: string) =>
  messages.some((m) => m.topic === topic && (payload === undefined || m.payload.toString() === payload));
const browserUrl = (overrides: Partial<typeof browserCredentials> = {}) =>
  presignIotWebSocketUrl({ host: `127.0.0.1:${fixture.iot.wsPort}`, region, ...browserCredentials, ...overrides });

describe('MQTT over mutual TLS', () => {
  it('lets a provisioned device publish its own telemetry, seen by onMessage with its identity', async () => {
    const client = await device(alpha);
    await client.publishAsync(topics.telemetry('alpha'), '{"t":1}', { qos: 1 });
    await eventually(() => seen(topics.telemetry('alpha'), '{"t":1}'), 2_000, 'telemetry');
    const message = messages.find((m) => m.topic === topics.telemetry('alpha'));
    expect(message).toMatchObject({ clientId: 'alpha', principal: alpha.certificateId, qos: 1 });
  });

  it('disconnects a device publishing to another device topic, and the message goes nowhere', async () => {
    const client = await device(alpha);
    const gone = closed(client);
    client.publish(topics.telemetry('beta'), '{"spoofed":true}', { qos: 1 });
    await gone;
    expect(seen(topics.telemetry('beta'), '{"spoofed":true}')).toBe(false);
  });

  it("answers 0x80 to a subscription to another device's shadow and delivers its own shadow's delta", async () => {
    const client = await device(alpha);
    const own = shadowTopics('alpha').updateDelta;
    expect(await subscribeGranted(client, shadowTopics('beta').updateDelta)).toEqual([128]);
    expect(await subscribeGranted(client, own)).toEqual([1]);
    // AWS IoT grants at most QoS 1.
    expect((await client.subscribeAsync(own, { qos: 2 })).map((g) => g.qos)).toEqual([1]);
    const received: string[] = [];
    client.on('message', (topic, payload) =>
      received.push(`${topic} ${JSON.stringify((JSON.parse(payload.toString()) as { state: unknown }).state)}`),
    );
    for (const thingName of ['alpha', 'beta']) {
      const payload = Buffer.from(JSON.stringify({ state: { desired: { for: thingName } } }));
      await fixture.data.send(new UpdateThingShadowCommand({ thingName, payload }));
    }
    await eventually(() => received.length > 0, 2_000, 'delta delivery');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toEqual([`${own} {"for":"alpha"}`]);
  });

  it('refuses a client id that is not the thing attached to the certificate', async () => {
    await expect(device(alpha, 'beta')).rejects.toThrow(/Not authorized|closed/i);
    await expect(device(alpha, 'someone-else')).rejects.toThrow(/Not authorized|closed/i);
  });

  it('refuses reserved $aws topics from clients', async () => {
    const client = await device(alpha);
    const gone = closed(client);
    client.publish(topics.presenceConnected('alpha'), '{}', { qos: 0 });
    await gone;
  });

  it('lets a second connection with the same client id take over (the first is disconnected)', async () => {
    const first = await device(beta);
    const firstClosed = closed(first);
    const second = await device(beta);
    await firstClosed;
    expect(second.connected).toBe(true);
  });

  it('refuses a certificate made INACTIVE or REVOKED, and drops its live connection at once', async () => {
    const gamma = await provisionDevice(fixture.control, 'gamma');
    const client = await device(gamma);
    const gone = closed(client, 2_000);
    await fixture.control.send(new UpdateCertificateCommand({ certificateId: gamma.certificateId, newStatus: 'REVOKED' }));
    await gone;
    await expect(device(gamma)).rejects.toThrow(/Not authorized|closed/i);
  });

  it('refuses a certificate of the local CA that has no policy attached', async () => {
    const keys = await fixture.control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const identity = { certificatePem: keys.certificatePem as string, privateKeyPem: keys.keyPair?.PrivateKey as string };
    await expect(connectTls(fixture.iot.mqttPort, fixture.iot.caCertificatePem, identity, 'orphan')).rejects.toThrow(
      /Not authorized|closed/i,
    );
  });
});

describe('MQTT over WebSocket with a SigV4-presigned URL', () => {
  it('connects as the Cognito identity and receives device telemetry', async () => {
    const browser = track(await connectWs(await browserUrl(), browserIdentity));
    expect(await subscribeGranted(browser, topics.telemetryFilter)).toEqual([1]);
    const received: string[] = [];
    browser.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
    const client = await device(alpha);
    await client.publishAsync(topics.telemetry('alpha'), '{"live":1}', { qos: 1 });
    await eventually(() => received.includes(`${topics.telemetry('alpha')} {"live":1}`), 2_000, 'live telemetry');
  });

  it('refuses a wrongly signed URL, an unknown key, a missing token and a client id other than the identity', async () => {
    await expect(connectWs(await browserUrl({ secretAccessKey: 'wrong' }), browserIdentity)).rejects.toThrow();
    await expect(connectWs(await browserUrl({ accessKeyId: 'ASIAUNKNOWN' }), browserIdentity)).rejects.toThrow();
    await expect(connectWs((await browserUrl()).replace(/&X-Amz-Security-Token=[^&]*/, ''), browserIdentity)).rejects.toThrow();
    await expect(connectWs(await browserUrl(), 'not-my-identity')).rejects.toThrow(/Not authorized|closed/i);
  });

  it('refuses publishing from a browser identity (its policy allows none)', async () => {
    const browser = track(await connectWs(await browserUrl(), browserIdentity));
    const gone = closed(browser);
    browser.publish(topics.telemetry('alpha'), '{"forged":1}', { qos: 1 });
    await gone;
    expect(seen(topics.telemetry('alpha'), '{"forged":1}')).toBe(false);
  });
});

describe('lifecycle events', () => {
  it('publishes AWS-shaped connected and disconnected events, with the disconnect reason', async () => {
    const presence = messages.length;
    const client = await device(alpha);
    await eventually(() => messages.slice(presence).some((m) => m.topic === topics.presenceConnected('alpha')), 2_000, 'connected event');
    client.end();
    await eventually(
      () => messages.slice(presence).some((m) => m.topic === topics.presenceDisconnected('alpha')),
      2_000,
      'disconnected event',
    );
    const connected = JSON.parse(
      messages
        .slice(presence)
        .find((m) => m.topic === topics.presenceConnected('alpha'))!
        .payload.toString(),
    );
    const disconnected = JSON.parse(
      messages
        .slice(presence)
        .find((m) => m.topic === topics.presenceDisconnected('alpha'))!
        .payload.toString(),
    );
    expect(connected).toMatchObject({
      clientId: 'alpha',
      eventType: 'connected',
      principalIdentifier: alpha.certificateId,
      ipAddress: '127.0.0.1',
    });
    expect(typeof connected.timestamp).toBe('number');
    expect(typeof connected.versionNumber).toBe('number');
    expect(disconnected).toMatchObject({
      clientId: 'alpha',
      eventType: 'disconnected',
      clientInitiatedDisconnect: true,
      disconnectReason: 'CLIENT_INITIATED_DISCONNECT',
      sessionIdentifier: connected.sessionIdentifier,
    });
  });

  it('reports DUPLICATE_CLIENTID for a taken-over connection and AUTH_ERROR for a refused publish', async () => {
    const start = messages.length;
    const first = await device(beta);
    const firstClosed = closed(first);
    await device(beta);
    await firstClosed;
    const reasons = () =>
      messages
        .slice(start)
        .filter((m) => m.topic === topics.presenceDisconnected('beta'))
        .map((m) => (JSON.parse(m.payload.toString()) as { disconnectReason: string }).disconnectReason);
    await eventually(() => reasons().includes('DUPLICATE_CLIENTID'), 2_000, 'duplicate reason');
    const spoofer = await device(alpha);
    const gone = closed(spoofer);
    spoofer.publish(topics.telemetry('beta'), 'x', { qos: 0 });
    await gone;
    await eventually(
      () =>
        messages
          .slice(start)
          .some((m) => m.topic === topics.presenceDisconnected('alpha') && m.payload.toString().includes('"AUTH_ERROR"')),
      2_000,
      'auth error reason',
    );
  });

  it('delivers presence events to a subscriber allowed to receive them', async () => {
    await fixture.control.send(
      new CreatePolicyCommand({
        policyName: 'presence-watcher',
        policyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['iot:Connect'], Resource: '*' },
            {
              Effect: 'Allow',
              Action: ['iot:Subscribe'],
              Resource: `arn:aws:iot:${region}:000000000000:topicfilter/$aws/events/presence/*`,
            },
            { Effect: 'Allow', Action: ['iot:Receive'], Resource: `arn:aws:iot:${region}:000000000000:topic/$aws/events/presence/*` },
          ],
        }),
      }),
    );
    const keys = await fixture.control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    await fixture.control.send(new AttachPolicyCommand({ policyName: 'presence-watcher', target: keys.certificateArn }));
    const watcher = track(
      await connectTls(
        fixture.iot.mqttPort,
        fixture.iot.caCertificatePem,
        { certificatePem: keys.certificatePem as string, privateKeyPem: keys.keyPair?.PrivateKey as string },
        'watcher',
      ),
    );
    expect(await subscribeGranted(watcher, topics.presenceFilter)).toEqual([1]);
    const events: string[] = [];
    watcher.on('message', (topic) => events.push(topic));
    const client = await device(alpha);
    client.end();
    await eventually(() => events.includes(topics.presenceDisconnected('alpha')), 3_000, 'presence delivery');
    expect(events).toContain(topics.presenceConnected('alpha'));
  });
});
