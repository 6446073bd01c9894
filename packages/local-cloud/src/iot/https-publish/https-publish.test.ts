import { CreatePolicyCommand, AttachPolicyCommand, CreateKeysAndCertificateCommand, UpdateCertificateCommand } from '@aws-sdk/client-iot';
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { generatedCertificateCommonName, topics } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountId,
  createFleetPolicies,
  provisionDevice,
  provisionDeviceFromCsr,
  region,
  startFixture,
  type Device,
  type Fixture,
} from '../../testing/iot-fixture.ts';
import { httpsPublish } from '../../testing/https-publish-client.ts';
import { connectTls, eventually, subscribeGranted } from '../../testing/mqtt-test-client.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let fixture: Fixture;
let alpha: Device;
let beta: Device;
let durable = true;
const post = (device: Device, topic: string, payload: string | Buffer = '{"ts":1,"seq":1}', options = {}) =>
  httpsPublish(fixture.iot.httpsPort, fixture.iot.caCertificatePem, device, topic, payload, options);
const messagesOn = (topic: string) => fixture.messages.filter((m) => m.topic === topic);

beforeAll(async () => {
  fixture = await startFixture();
  fixture.iot.onMessage(() => (durable ? undefined : { durable: false, reason: 'queue unavailable' }));
  await createFleetPolicies(fixture.control);
  // Certificates from CSRs whose common name is the device id: the device policy's HTTPS statement.
  [alpha, beta] = await Promise.all([provisionDeviceFromCsr(fixture.control, 'alpha'), provisionDeviceFromCsr(fixture.control, 'beta')]);
});
afterAll(() => fixture.close());

describe('HTTPS publish with a device certificate', () => {
  it('answers 200 {"message":"OK","traceId"} for its own telemetry, which reaches the rules engine with its certificate as principal', async () => {
    const result = await post(alpha, topics.telemetry('alpha'), '{"ts":1,"seq":1,"temperature":20}', { qos: 1 });
    expect(result).toEqual({ status: 200, body: { message: 'OK', traceId: expect.stringMatching(uuid) } });
    expect(messagesOn(topics.telemetry('alpha'))).toEqual([
      expect.objectContaining({
        payload: Buffer.from('{"ts":1,"seq":1,"temperature":20}'),
        principal: alpha.certificateId,
        clientId: 'n/a',
        qos: 1,
      }),
    ]);
  });

  it('takes QoS 0 when the query has none, as AWS', async () => {
    expect(
      (await post(alpha, topics.telemetry('alpha'), '{"q":0}', { path: `/topics/${encodeURIComponent(topics.telemetry('alpha'))}` }))
        .status,
    ).toBe(200);
    expect(messagesOn(topics.telemetry('alpha')).at(-1)).toMatchObject({ payload: Buffer.from('{"q":0}'), qos: 0 });
  });

  it('delivers the message to MQTT subscribers allowed to receive it', async () => {
    await fixture.control.send(
      new CreatePolicyCommand({
        policyName: 'watcher',
        policyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['iot:Connect', 'iot:Subscribe', 'iot:Receive'], Resource: `arn:aws:iot:${region}:${accountId}:*` },
          ],
        }),
      }),
    );
    const keys = await fixture.control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    await fixture.control.send(new AttachPolicyCommand({ policyName: 'watcher', target: keys.certificateArn }));
    const watcher = await connectTls(
      fixture.iot.mqttPort,
      fixture.iot.caCertificatePem,
      { certificatePem: keys.certificatePem as string, privateKeyPem: keys.keyPair?.PrivateKey as string },
      'watcher',
    );
    const received: string[] = [];
    watcher.on('message', (_topic, payload) => received.push(payload.toString()));
    await subscribeGranted(watcher, topics.telemetry('+'));
    expect((await post(alpha, topics.telemetry('alpha'), '{"to":"subscribers"}')).status).toBe(200);
    await eventually(() => received.includes('{"to":"subscribers"}'), 3_000, 'the subscriber receives the HTTPS message');
    await watcher.endAsync();
  });

  it("answers 403 Forbidden for another device's topic and a reserved topic, and the message goes nowhere", async () => {
    const before = fixture.messages.length;
    expect(await post(alpha, topics.telemetry('beta'))).toEqual({
      status: 403,
      body: { message: 'Forbidden', traceId: expect.stringMatching(uuid) },
    });
    expect((await post(alpha, '$aws/events/presence/connected/alpha')).status).toBe(403);
    expect((await post(alpha, '$aws/things/alpha/shadow/update/accepted')).status).toBe(403);
    expect(fixture.messages.length).toBe(before);
  });

  it('answers 403 for its own shadow topic: the device policy grants it through the thing name, which HTTPS does not resolve', async () => {
    expect((await post(alpha, '$aws/things/alpha/shadow/update', '{"state":{"reported":{"on":true}}}')).status).toBe(403);
    expect((await post(alpha, '$aws/things/beta/shadow/update', '{"state":{"reported":{"on":true}}}')).status).toBe(403);
  });

  it('answers 403 once the certificate is INACTIVE', async () => {
    await fixture.control.send(new UpdateCertificateCommand({ certificateId: beta.certificateId, newStatus: 'INACTIVE' }));
    expect((await post(beta, topics.telemetry('beta'))).status).toBe(403);
    expect(messagesOn(topics.telemetry('beta'))).toEqual([]);
  });

  it('answers 400 for a bad qos or a wildcard topic, 404 off /topics, 405 for another method', async () => {
    const telemetry = `/topics/${encodeURIComponent(topics.telemetry('alpha'))}`;
    expect((await post(alpha, '', '{}', { path: `${telemetry}?qos=2` })).status).toBe(400);
    expect((await post(alpha, '', '{}', { path: `${telemetry}?qos=one` })).status).toBe(400);
    expect((await post(alpha, 'fleet/devices/+/telemetry')).status).toBe(400);
    expect((await post(alpha, '', '{}', { path: '/things/alpha' })).status).toBe(404);
    expect(await post(alpha, '', '', { path: telemetry, method: 'GET' })).toMatchObject({
      status: 405,
      body: { message: 'Method Not Allowed' },
    });
  });

  it('answers 413 above 128 KB and accepts exactly 128 KB', async () => {
    const before = messagesOn(topics.telemetry('alpha')).length;
    expect((await post(alpha, topics.telemetry('alpha'), Buffer.alloc(128 * 1024 + 1, 0x61))).status).toBe(413);
    expect((await post(alpha, topics.telemetry('alpha'), Buffer.alloc(128 * 1024, 0x61))).status).toBe(200);
    expect(messagesOn(topics.telemetry('alpha')).length).toBe(before + 1);
  });

  it('answers 413 to a chunked body that grows past 128 KB without a content-length', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: fixture.iot.httpsPort,
          method: 'POST',
          path: `/topics/${encodeURIComponent(topics.telemetry('alpha'))}?qos=1`,
          ca: fixture.iot.caCertificatePem,
          cert: alpha.certificatePem,
          key: alpha.privateKeyPem,
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 5; i += 1) req.write(Buffer.alloc(32 * 1024, 0x62));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('answers 503 and acknowledges nothing when the rules engine cannot make the message durable', async () => {
    durable = false;
    try {
      expect(await post(alpha, topics.telemetry('alpha'), '{"lost":false}')).toMatchObject({
        status: 503,
        body: { message: 'Service Unavailable' },
      });
    } finally {
      durable = true;
    }
  });

  it('refuses a client without a certificate of the local CA in the TLS handshake', async () => {
    const stranger = { certificatePem: '', privateKeyPem: '' };
    await expect(
      httpsPublish(fixture.iot.httpsPort, fixture.iot.caCertificatePem, stranger, topics.telemetry('alpha'), '{}'),
    ).rejects.toThrow();
  });
});

describe('HTTPS publish under the device policy: thing variables unresolved, certificate variables resolved', () => {
  it('answers 403 to a CreateKeysAndCertificate device ("AWS IoT Certificate") on its own topic and on any other', async () => {
    const keys = await provisionDevice(fixture.control, 'keys-only');
    expect(new X509Certificate(keys.certificatePem).subject).toBe(`CN=${generatedCertificateCommonName}`);
    const before = fixture.messages.length;
    expect((await post(keys, topics.telemetry('keys-only'))).status).toBe(403);
    expect((await post(keys, topics.telemetry('alpha'))).status).toBe(403);
    expect((await post(keys, topics.telemetry(generatedCertificateCommonName))).status).toBe(403);
    expect(fixture.messages.length).toBe(before);
  });

  it('publishes over MQTT what HTTPS refuses it, the thing variables resolving there', async () => {
    const keys = await provisionDevice(fixture.control, 'keys-mqtt');
    const client = await connectTls(fixture.iot.mqttPort, fixture.iot.caCertificatePem, keys, 'keys-mqtt');
    await client.publishAsync(topics.telemetry('keys-mqtt'), '{"ts":1,"seq":1}', { qos: 1 });
    await client.endAsync();
    expect(messagesOn(topics.telemetry('keys-mqtt'))).toHaveLength(1);
  });

  it('lets a certificate publish as the device its common name names, whatever thing it is attached to: the CN is what the CSR says', async () => {
    // The policy sees only the certificate: the API's check of the CSR's CN is what keeps it honest.
    const impostor = await provisionDeviceFromCsr(fixture.control, 'mallory', 'beta');
    expect((await post(impostor, topics.telemetry('mallory'))).status).toBe(403);
    expect((await post(impostor, topics.telemetry('beta'), '{"ts":2,"seq":2}')).status).toBe(200);
  });
});

describe('HTTPS publish rate limit', () => {
  let limited: Fixture;
  beforeAll(async () => {
    limited = await startFixture({ maxPublishesPerSecond: 3 });
    await createFleetPolicies(limited.control);
  });
  afterAll(() => limited.close());

  it('answers 429 past the per-certificate quota, as MQTT closes the connection past it', async () => {
    const device = await provisionDeviceFromCsr(limited.control, 'gamma');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      statuses.push(
        (await httpsPublish(limited.iot.httpsPort, limited.iot.caCertificatePem, device, topics.telemetry('gamma'), `{"seq":${i}}`)).status,
      );
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    expect(statuses).toContain(429);
  });
});
