/**
 * A provisioned device as Debian's `mosquitto_pub` / `mosquitto_sub` use it (the interop tests of
 * the broker, the shadow and Jobs): its certificate, key and the local root CA as files, and the
 * arguments that connect with them over MQTT 3.1.1 and mutual TLS, as a real device would with
 * Amazon Root CA 1.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Device, Fixture } from './iot-fixture.ts';

/** Debian package mosquitto-clients (`.ci/run` installs it); interop tests skip without it. */
export const mosquittoInstalled = existsSync('/usr/bin/mosquitto_pub') && existsSync('/usr/bin/mosquitto_sub');

export interface MosquittoDevice {
  /** The broker and its CA only: what a client without a certificate would pass. */
  brokerArgs(): string[];
  /** The broker, the device's certificate and key, and its thing name as client id. */
  tlsArgs(): string[];
  remove(): Promise<void>;
}

export async function mosquittoDevice(fixture: Fixture, device: Device): Promise<MosquittoDevice> {
  const dir = await mkdtemp(join(tmpdir(), 'iot-mosquitto-'));
  await writeFile(join(dir, 'ca.pem'), fixture.iot.caCertificatePem);
  await writeFile(join(dir, 'dev.pem'), device.certificatePem);
  await writeFile(join(dir, 'dev.key'), device.privateKeyPem, { mode: 0o600 });
  // The port is read at each call: a test may restart the stand-in on new ports.
  const brokerArgs = () => ['--cafile', join(dir, 'ca.pem'), '-h', '127.0.0.1', '-p', String(fixture.iot.mqttPort), '-V', 'mqttv311'];
  return {
    brokerArgs,
    tlsArgs: () => [...brokerArgs(), '--cert', join(dir, 'dev.pem'), '--key', join(dir, 'dev.key'), '-i', device.thingName],
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
