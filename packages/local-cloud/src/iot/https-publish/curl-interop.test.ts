/**
 * Interop with a client written elsewhere: the real `curl` (libcurl + OpenSSL) publishes with a
 * device's certificate and key and the local root CA, the command AWS's HTTPS publish page gives
 * (https://docs.aws.amazon.com/iot/latest/developerguide/http.html) with the local port.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iotHttpsPublishPath, topics } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFleetPolicies,
  provisionDevice,
  provisionDeviceFromCsr,
  startFixture,
  type Device,
  type Fixture,
} from '../../testing/iot-fixture.ts';

const curlInstalled = existsSync('/usr/bin/curl');
if (!curlInstalled) console.warn('curl-interop: /usr/bin/curl missing (Debian package curl). Skipping.');

let fixture: Fixture;
let device: Device;
let dir: string;

beforeAll(async () => {
  fixture = await startFixture();
  await createFleetPolicies(fixture.control);
  // The device policy allows HTTPS publish to a certificate whose common name is the device id.
  device = await provisionDeviceFromCsr(fixture.control, 'curl-1');
  await provisionDevice(fixture.control, 'curl-2');
  dir = await mkdtemp(join(tmpdir(), 'iot-curl-'));
  await writeFile(join(dir, 'root-ca.pem'), fixture.iot.caCertificatePem);
  await writeFile(join(dir, 'device.cert.pem'), device.certificatePem);
  await writeFile(join(dir, 'device.private.key'), device.privateKeyPem, { mode: 0o600 });
});
afterAll(async () => {
  await fixture.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs curl and answers the HTTP status it printed and the body. */
function curl(topic: string, body: string, withCertificate = true): Promise<{ status: number; body: string; code: number }> {
  const url = `https://127.0.0.1:${fixture.iot.httpsPort}${iotHttpsPublishPath(topic, 1)}`;
  const certificate = withCertificate ? ['--cert', join(dir, 'device.cert.pem'), '--key', join(dir, 'device.private.key')] : [];
  const args = ['--silent', '--show-error', '--cacert', join(dir, 'root-ca.pem'), ...certificate, '-X', 'POST', url, '-d', body];
  return new Promise((resolve) => {
    execFile('/usr/bin/curl', [...args, '--write-out', '\n%{http_code}'], { timeout: 10_000 }, (err, stdout) => {
      const lines = stdout.trimEnd().split('\n');
      const status = Number(lines.pop());
      resolve({ status, body: lines.join('\n'), code: err ? Number((err as { code?: number }).code ?? 1) : 0 });
    });
  });
}

describe.skipIf(!curlInstalled)('curl --cert --key --cacert', () => {
  it("publishes the device's own telemetry: 200 OK, and the reading reaches the rules engine", async () => {
    const result = await curl(topics.telemetry('curl-1'), '{"ts":1,"seq":1,"temperature":21.5}');
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ message: 'OK', traceId: expect.any(String) });
    expect(fixture.messages.find((m) => m.topic === topics.telemetry('curl-1'))?.payload.toString()).toBe(
      '{"ts":1,"seq":1,"temperature":21.5}',
    );
  });

  it("is answered 403 Forbidden on another device's topic, and nothing is accepted", async () => {
    const result = await curl(topics.telemetry('curl-2'), '{"spoof":1}');
    expect([result.status, JSON.parse(result.body).message]).toEqual([403, 'Forbidden']);
    expect(fixture.messages.some((m) => m.topic === topics.telemetry('curl-2'))).toBe(false);
  });

  it('cannot complete the TLS handshake without a client certificate', async () => {
    const result = await curl(topics.telemetry('curl-1'), '{}', false);
    expect(result.code).not.toBe(0);
    expect(result.status).toBe(0);
  });
});
