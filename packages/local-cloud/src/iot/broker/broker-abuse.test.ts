/**
 * The broker survives abuse and keeps serving other clients: floods, AWS IoT's limits (payload,
 * client id, QoS 2, publish rate), malformed bytes, and certificates it must not trust.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTlsSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { AttachPolicyCommand, CreateKeysAndCertificateCommand, CreatePolicyCommand } from '@aws-sdk/client-iot';
import { topics } from '@fleet/core';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateLocalCa } from '../ca/local-ca.ts';
import type { BrokerMessage } from '../index.ts';
import { createFleetPolicies, provisionDevice, startFixture, type Device, type Fixture } from '../../testing/iot-fixture.ts';
import { emitterConcurrency } from './emitter-concurrency.ts';
import { closed, connectTls, eventually, subscribeGranted, type TlsIdentity } from '../../testing/mqtt-test-client.ts';

const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] });

let fixture: Fixture;
let device: Device;
let free: TlsIdentity;
const messages: BrokerMessage[] = [];
const open: MqttClient[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  fixture = await startFixture();
  fixture.iot.onMessage((m) => messages.push(m));
  await createFleetPolicies(fixture.control);
  device = await provisionDevice(fixture.control, 'abuse-dev');
  free = await allowAllIdentity(fixture);
});
afterEach(() => {
  for (const c of open.splice(0)) c.end(true);
});
afterAll(async () => {
  await fixture.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function allowAllIdentity(f: Fixture): Promise<TlsIdentity> {
  await f.control.send(new CreatePolicyCommand({ policyName: 'allow-all', policyDocument: allowAll }));
  const keys = await f.control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  await f.control.send(new AttachPolicyCommand({ policyName: 'allow-all', target: keys.certificateArn }));
  return { certificatePem: keys.certificatePem as string, privateKeyPem: keys.keyPair?.PrivateKey as string };
}

const connectAs = (identity: TlsIdentity, clientId: string, f = fixture) =>
  connectTls(f.iot.mqttPort, f.iot.caCertificatePem, identity, clientId).then((c) => {
    open.push(c);
    return c;
  });

/** The broker still serves a well-behaved device end to end. */
async function stillServes(): Promise<void> {
  const client = await connectAs(device, device.thingName);
  const payload = `{"alive":${Date.now()}}`;
  await client.publishAsync(topics.telemetry(device.thingName), payload, { qos: 1 });
  await eventually(() => messages.some((m) => m.payload.toString() === payload), 2_000, 'a publish after the abuse');
}

describe('floods', () => {
  it('survives the 100-publisher flood that overflowed the stack with aedes defaults (child process)', async () => {
    const probe = fileURLToPath(new URL('../../testing/flood-probe.ts', import.meta.url));
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', probe, String(emitterConcurrency), '1000'], { timeout: 25_000 }, (err, stdout) =>
        err && !stdout ? reject(new Error('the flood probe failed', { cause: err })) : resolve(stdout),
      );
    });
    const result = JSON.parse(output.trim().split('\n').pop() as string) as {
      survived?: boolean;
      crashed?: string;
      accepted?: number;
      delivered?: number;
      total?: number;
    };
    expect(result.crashed).toBeUndefined();
    expect(result).toMatchObject({ survived: true, accepted: 100_000, delivered: 1000 });
  }, 30_000);

  it('survives 20 TLS publishers flooding without flow control (rate limit off) and keeps serving', async () => {
    const flood = await startFixture({ maxPublishesPerSecond: 0 });
    try {
      const seen: BrokerMessage[] = [];
      flood.iot.onMessage((m) => seen.push(m));
      await createFleetPolicies(flood.control);
      const identity = await allowAllIdentity(flood);
      const floodDevice = await provisionDevice(flood.control, 'flood-dev');
      const subscriber = await connectAs(identity, 'flood-sub', flood);
      await subscribeGranted(subscriber, 'flood/0', 0);
      let delivered = 0;
      subscriber.on('message', () => delivered++);
      const publishers = await Promise.all(Array.from({ length: 20 }, (_, i) => connectAs(identity, `flood-${i}`, flood)));
      const perPublisher = 1500;
      const payload = Buffer.alloc(200, 97);
      for (let k = 0; k < perPublisher; k++) publishers.forEach((p, i) => p.publish(`flood/${i}`, payload, { qos: 0 }));
      const total = 20 * perPublisher;
      await eventually(() => seen.filter((m) => m.topic.startsWith('flood/')).length === total, 20_000, 'every flood message');
      await eventually(() => delivered === perPublisher, 5_000, 'delivery to the subscriber');
      const client = await connectAs(floodDevice, floodDevice.thingName, flood);
      await client.publishAsync(topics.telemetry(floodDevice.thingName), '{"after":"flood"}', { qos: 1 });
      await eventually(() => seen.some((m) => m.payload.toString() === '{"after":"flood"}'), 2_000, 'a publish after the flood');
    } finally {
      for (const c of open.splice(0)) c.end(true);
      await flood.close();
    }
  }, 30_000);

  it('disconnects a connection exceeding 100 publishes per second (THROTTLED), as AWS IoT limits', async () => {
    const start = messages.length;
    const client = await connectAs(device, device.thingName);
    const gone = closed(client);
    for (let i = 0; i < 300; i++) client.publish(topics.telemetry(device.thingName), `{"n":${i}}`, { qos: 0 });
    await gone;
    const accepted = messages.slice(start).filter((m) => m.topic === topics.telemetry(device.thingName)).length;
    expect(accepted).toBeGreaterThanOrEqual(100);
    expect(accepted).toBeLessThan(150); // burst of 100 plus refill while the 300 arrive
    await eventually(
      () =>
        messages
          .slice(start)
          .some((m) => m.topic === topics.presenceDisconnected(device.thingName) && m.payload.toString().includes('"THROTTLED"')),
      2_000,
      'THROTTLED disconnect event',
    );
    await stillServes();
  });
});

describe('AWS IoT limits', () => {
  it('accepts a 128 KB payload and disconnects a larger one without accepting it', async () => {
    const client = await connectAs(free, 'big-payload');
    await client.publishAsync('limits/exact', Buffer.alloc(128 * 1024, 1), { qos: 1 });
    await eventually(() => messages.some((m) => m.topic === 'limits/exact'), 2_000, 'the 128 KB message');
    const gone = closed(client);
    client.publish('limits/over', Buffer.alloc(128 * 1024 + 1, 1), { qos: 1 });
    await gone;
    expect(messages.some((m) => m.topic === 'limits/over')).toBe(false);
    await stillServes();
  });

  it('refuses a client id longer than 128 characters and accepts 128', async () => {
    await expect(connectAs(free, 'x'.repeat(129))).rejects.toThrow();
    const ok = await connectAs(free, 'y'.repeat(128));
    expect(ok.connected).toBe(true);
  });

  it('disconnects a QoS 2 publish (AWS IoT supports QoS 0 and 1)', async () => {
    const client = await connectAs(free, 'qos2');
    const gone = closed(client);
    client.publish('limits/qos2', 'x', { qos: 2 });
    await gone;
    expect(messages.some((m) => m.topic === 'limits/qos2')).toBe(false);
  });
});

describe('malformed input', () => {
  /** A raw TLS socket with a device's certificate: bytes no MQTT client would send. */
  const rawDeviceSocket = () =>
    connectTlsSocket({
      host: '127.0.0.1',
      port: fixture.iot.mqttPort,
      ca: fixture.iot.caCertificatePem,
      cert: free.certificatePem,
      key: free.privateKeyPem,
    });

  it('closes a connection announcing a packet far over the limit before it has all arrived', async () => {
    const socket = rawDeviceSocket();
    socket.on('error', () => undefined);
    socket.resume();
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('secureConnect', () => {
      // A CONNECT announcing 10 MB (remaining length 10_000_000 as an MQTT varint), then 256 KB of it.
      const remainingLength = Buffer.from([0x80, 0xad, 0xe2, 0x04]);
      socket.write(Buffer.concat([Buffer.from([0x10]), remainingLength, Buffer.alloc(256 * 1024)]));
    });
    const started = Date.now();
    await ended;
    expect(Date.now() - started).toBeLessThan(3_000);
    await stillServes();
  });

  it('drops a mutually authenticated connection that sends random bytes, and keeps serving', async () => {
    const socket = rawDeviceSocket();
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.resume();
    socket.on('secureConnect', () => socket.write(randomBytes(8192)));
    await ended;
    await stillServes();
  });

  it('drops plain-TCP garbage sent to the TLS and WebSocket ports, and keeps serving', async () => {
    for (const port of [fixture.iot.mqttPort, fixture.iot.wsPort]) {
      const socket = connectTcp(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.resume(); // read the server's answer, or 'close' never comes
      const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.on('connect', () => socket.end(randomBytes(4096)));
      await ended;
    }
    await stillServes();
  });
});

describe('untrusted certificates', () => {
  it('refuses a self-signed certificate and one issued by another CA at the TLS handshake', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'iot-other-ca-'));
    dirs.push(otherDir);
    const other = await loadOrCreateLocalCa({ dir: otherDir });
    const foreign = await other.issueDeviceCertificate();
    await expect(
      connectAs({ certificatePem: foreign.certificatePem, privateKeyPem: foreign.privateKeyPem }, device.thingName),
    ).rejects.toThrow();
    const stored = JSON.parse(await readFile(join(otherDir, 'ca.json'), 'utf8')) as { caCertificatePem: string; caPrivateKeyPkcs8: string };
    await expect(
      connectAs({ certificatePem: stored.caCertificatePem, privateKeyPem: stored.caPrivateKeyPkcs8 }, device.thingName),
    ).rejects.toThrow();
    await stillServes();
  });
});
