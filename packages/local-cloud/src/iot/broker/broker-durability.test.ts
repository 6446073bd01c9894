/**
 * The PUBACK means "durable": the broker acknowledges a device's QoS 1 publish only once its
 * message listener (the rules engine) answered, never for a message it refused, in the order the
 * device published; every message reaches the listener exactly once; and the ports stay closed
 * until a listener is attached.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { topics } from '@fleet/core';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIotStandIn, type BrokerMessage, type MessageOutcome } from '../index.ts';
import { createFleetPolicies, provisionDevice, region, startFixture, type Device, type Fixture } from '../../testing/iot-fixture.ts';
import { closed, connectTls, eventually } from '../../testing/mqtt-test-client.ts';

let fixture: Fixture;
let device: Device;
/** Decides each message's outcome; reset before every test. */
let decide: (message: BrokerMessage) => MessageOutcome | Promise<MessageOutcome>;
const open: MqttClient[] = [];

beforeAll(async () => {
  fixture = await startFixture();
  fixture.iot.onMessage((m) => decide(m));
  await createFleetPolicies(fixture.control);
  device = await provisionDevice(fixture.control, 'durable-dev');
});
beforeEach(() => {
  decide = () => ({ durable: true });
  fixture.messages.length = 0;
});
afterEach(() => {
  for (const c of open.splice(0)) c.end(true);
});
afterAll(async () => {
  await fixture.close();
});

const connectDevice = async (extra = {}) => {
  const client = await connectTls(fixture.iot.mqttPort, fixture.iot.caCertificatePem, device, device.thingName, extra);
  open.push(client);
  return client;
};
const telemetry = topics.telemetry('durable-dev');
/** A topic only the service publishes to (a data-plane Publish), no device listening. */
const serviceTopic = 'fleet/notices/durable-dev';
const payloads = (topic: string) => fixture.messages.filter((m) => m.topic === topic).map((m) => m.payload.toString());

describe('PUBACK after durability', () => {
  it('holds the PUBACK of a QoS 1 publish until the listener answered', async () => {
    const answer = Promise.withResolvers<MessageOutcome>();
    decide = () => answer.promise;
    const client = await connectDevice();
    let acknowledged = false;
    const ack = client.publishAsync(telemetry, '{"n":1}', { qos: 1 }).then(() => (acknowledged = true));
    await eventually(() => payloads(telemetry).length === 1, 2_000, 'the message at the listener');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(acknowledged).toBe(false);
    answer.resolve({ durable: true });
    await ack;
    expect(acknowledged).toBe(true);
  });

  it('closes the connection without a PUBACK when the message is not durable; the device resends it after reconnecting', async () => {
    let attempts = 0;
    decide = (m) =>
      m.topic === telemetry && ++attempts === 1 ? { durable: false, reason: 'queue and dead-letter bucket down' } : { durable: true };
    const client = await connectDevice({ reconnectPeriod: 100 });
    const gone = closed(client);
    const ack = client.publishAsync(telemetry, '{"n":2}', { qos: 1 });
    await gone;
    await ack;
    // The same message twice at the listener: refused once, then acknowledged once.
    expect(payloads(telemetry)).toEqual(['{"n":2}', '{"n":2}']);
  });

  it('acknowledges in publish order even when a later message becomes durable first ([MQTT-4.6.0-2])', async () => {
    const slow = Promise.withResolvers<MessageOutcome>();
    decide = (m) => (m.payload.toString() === '{"n":0}' ? slow.promise : { durable: true });
    const client = await connectDevice();
    const order: number[] = [];
    const acks = [0, 1, 2].map((n) => client.publishAsync(telemetry, `{"n":${n}}`, { qos: 1 }).then(() => void order.push(n)));
    await eventually(() => payloads(telemetry).length === 3, 2_000, 'three messages at the listener');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual([]);
    slow.resolve({ durable: true });
    await Promise.all(acks);
    expect(order).toEqual([0, 1, 2]);
  });

  it('hands every client message and every service message to the listener exactly once', async () => {
    const client = await connectDevice();
    for (let n = 0; n < 5; n++) await client.publishAsync(telemetry, `{"client":${n}}`, { qos: 1 });
    await fixture.data.send(new PublishCommand({ topic: serviceTopic, qos: 1, payload: Buffer.from('{"service":1}') }));
    expect(payloads(telemetry)).toEqual([0, 1, 2, 3, 4].map((n) => `{"client":${n}}`));
    expect(payloads(serviceTopic)).toEqual(['{"service":1}']);
  });

  it('fails a data-plane Publish the listener could not make durable, instead of answering 200', async () => {
    decide = () => ({ durable: false, reason: 'queue down' });
    await expect(fixture.data.send(new PublishCommand({ topic: serviceTopic, qos: 1, payload: Buffer.from('{}') }))).rejects.toThrow();
  });
});

describe('listening', () => {
  it('opens no port and refuses to listen before a message listener is attached', async () => {
    // Its own data folder: the fixture's stand-in holds the locks of the shadow and Jobs stores of its folder.
    const dataDir = await mkdtemp(join(tmpdir(), 'iot-listen-'));
    const iot = await createIotStandIn({
      dataDir,
      region,
      accountId: '000000000000',
      host: '127.0.0.1',
      mqttPort: 0,
      wsPort: 0,
      resolveCredentials: () => undefined,
    });
    try {
      expect(() => iot.mqttPort).toThrow(/not listening/);
      await expect(iot.listen()).rejects.toThrow(/before listening/);
      iot.onMessage(() => undefined);
      const { mqttPort } = await iot.listen();
      await new Promise<void>((resolve, reject) => {
        const socket = connectTcp({ host: '127.0.0.1', port: mqttPort }, () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
    } finally {
      await iot.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
