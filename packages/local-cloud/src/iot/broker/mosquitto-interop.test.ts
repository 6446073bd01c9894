/**
 * Interop with MQTT clients written elsewhere: Debian's mosquitto_pub / mosquitto_sub (libmosquitto)
 * connect with a certificate from CreateKeysAndCertificate and the local root CA file, as a real
 * device would with Amazon Root CA 1.
 */
import { execFile } from 'node:child_process';
import { shadowTopics, topics } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../index.ts';
import { createFleetPolicies, provisionDevice, startFixture, type Device, type Fixture } from '../../testing/iot-fixture.ts';
import { eventually } from '../../testing/mqtt-test-client.ts';
import { mosquittoDevice, mosquittoInstalled, type MosquittoDevice } from '../../testing/mosquitto-device.ts';

if (!mosquittoInstalled)
  console.warn('mosquitto-interop: /usr/bin/mosquitto_pub or mosquitto_sub missing; install mosquitto-clients. Skipping.');

let fixture: Fixture;
let mosquitto: MosquittoDevice;
let device: Device;
const messages: BrokerMessage[] = [];

beforeAll(async () => {
  fixture = await startFixture();
  fixture.iot.onMessage((m) => messages.push(m));
  await createFleetPolicies(fixture.control);
  [device] = await Promise.all([provisionDevice(fixture.control, 'mosq-1'), provisionDevice(fixture.control, 'mosq-2')]);
  mosquitto = await mosquittoDevice(fixture, device);
});
afterAll(async () => {
  await fixture.close();
  await mosquitto.remove();
});

const brokerArgs = () => mosquitto.brokerArgs();
const tlsArgs = () => mosquitto.tlsArgs();

function run(command: string, args: string[], timeoutMs = 10_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

describe.skipIf(!mosquittoInstalled)('mosquitto_pub', () => {
  it('publishes QoS 1 telemetry on its own topic over mutual TLS', async () => {
    const result = await run('/usr/bin/mosquitto_pub', [
      ...tlsArgs(),
      '-t',
      topics.telemetry('mosq-1'),
      '-q',
      '1',
      '-m',
      '{"from":"mosquitto"}',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await eventually(
      () => messages.some((m) => m.topic === topics.telemetry('mosq-1') && m.payload.toString() === '{"from":"mosquitto"}'),
      2_000,
      'telemetry',
    );
    expect(messages.find((m) => m.topic === topics.telemetry('mosq-1'))).toMatchObject({
      clientId: 'mosq-1',
      principal: device.certificateId,
      qos: 1,
    });
  });

  it('is disconnected publishing on another device topic, and the message is not accepted', async () => {
    const result = await run('/usr/bin/mosquitto_pub', [...tlsArgs(), '-t', topics.telemetry('mosq-2'), '-q', '1', '-m', '{"spoof":1}']);
    expect(result.code).not.toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(messages.some((m) => m.topic === topics.telemetry('mosq-2'))).toBe(false);
  });

  it('is refused without the CA-issued client certificate', async () => {
    const result = await run('/usr/bin/mosquitto_pub', [
      ...brokerArgs(),
      '-i',
      'mosq-1',
      '-t',
      topics.telemetry('mosq-1'),
      '-q',
      '1',
      '-m',
      '{"anonymous":1}',
    ]);
    expect(result.code).not.toBe(0);
    expect(messages.some((m) => m.payload.toString() === '{"anonymous":1}')).toBe(false);
  });
});

describe.skipIf(!mosquittoInstalled)('mosquitto_sub', () => {
  // Receiving its own shadow's delta: shadow/shadow-interop.test.ts.
  it("is denied a subscription to another device's shadow", async () => {
    const started = Date.now();
    const result = await run('/usr/bin/mosquitto_sub', [
      ...tlsArgs(),
      '-t',
      shadowTopics('mosq-2').updateDelta,
      '-q',
      '1',
      '-C',
      '1',
      '-W',
      '5',
    ]);
    // libmosquitto reads the 0x80 grant, says so and gives up at once (exit status 0 in 2.0.11).
    expect(result.stderr).toMatch(/All subscription requests were denied/);
    expect(result.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});
