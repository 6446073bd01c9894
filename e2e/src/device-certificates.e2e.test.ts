/**
 * A device that keeps its private key, end to end over real processes and sockets: it registers
 * with a CSR made by `openssl req`, publishes with `mosquitto_pub` and its own key (PUBACKs counted
 * against what was stored), gets a second certificate (rotation, from a second CSR) and publishes
 * with it; then the old certificate is revoked in the web app's Certificates panel while a client
 * holds a live connection with it: the connection drops, the new certificate keeps working.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type DeviceCertificateList, type RotatedCertificate } from '@fleet/core';
import { opensslCsr, type OpensslCsr } from '@fleet/local-cloud/testing';
import { FleetApiError } from '@fleet/simulator';
import { hasChromium, launchChromium, signIn } from './browser-session.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { connectDevice, createUser, waitForStored, type FleetUser, type RegisteredDevice } from './fleet-user.ts';
import { expectAccessible, saveScreenshot } from './page-checks.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

const mosquitto = existsSync('/usr/bin/mosquitto_pub');

/** One reading a line, paced well under AWS IoT's 100 publishes per second per connection. */
const readingLines = (base: number, seqs: readonly number[]) => seqs.map((seq) => JSON.stringify({ ts: base + seq, seq, humidity: seq }));

describe.skipIf(deployedEndpointsFile || !mosquitto)('a device with its own key: CSR registration, rotation, revocation', () => {
  let platform: PlatformProcess;
  let user: FleetUser;
  const folders: string[] = [];
  beforeAll(async () => {
    platform = await startPlatformProcess();
    user = await createUser(platform);
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
    await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
  }, 60_000);

  async function csrFor(deviceId: string): Promise<OpensslCsr> {
    const made = await opensslCsr(`/CN=${deviceId}`);
    folders.push(made.dir);
    return made;
  }

  /**
   * `mosquitto_pub -l -d` as the device with a certificate and the key it made: one message a line,
   * paced; answers how many PUBACKs it printed.
   */
  async function publishWithMosquitto(
    deviceId: string,
    certificatePem: string,
    key: OpensslCsr,
    lines: readonly string[],
  ): Promise<number> {
    const certFile = join(key.dir, `${certificatePem.length}-${Date.now()}.cert.pem`);
    await writeFile(certFile, certificatePem);
    const { mqttHost, mqttPort, caFile } = platform.endpoints;
    const child = spawn('mosquitto_pub', [
      ...['--cafile', caFile ?? '', '--cert', certFile, '--key', key.keyFile, '-h', mqttHost, '-p', String(mqttPort)],
      ...['-i', deviceId, '-q', '1', '-V', 'mqttv311', '-t', topics.telemetry(deviceId), '-l', '-d'],
    ]);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for (const line of lines) {
      child.stdin.write(`${line}\n`);
      await new Promise((r) => setTimeout(r, 40));
    }
    child.stdin.end();
    expect(await exited, output).toBe(0);
    return output.match(/received PUBACK/g)?.length ?? 0;
  }

  const certificatesOf = (deviceId: string) => user.api.call<DeviceCertificateList>('GET', `/api/devices/${deviceId}/certificates`);

  it('publishes with its own key, rotates, and loses only the revoked certificate’s live connection', async () => {
    const deviceId = 'csr-e2e-1';
    const firstKey = await csrFor(deviceId);
    const registered = await user.api.registerDevice('CSR device', deviceId, firstKey.csrPem);
    expect(registered.credentials.keySource).toBe('csr');
    expect(registered.credentials).not.toHaveProperty('privateKey');
    const [first] = (await certificatesOf(deviceId)).items;
    expect(first).toMatchObject({ status: 'ACTIVE', current: true });
    const oldCertificateId = first!.certificateId;

    // 1. The first certificate, with the key that never left the device.
    const base = Date.now() - 60_000;
    const firstAcked = await publishWithMosquitto(
      deviceId,
      registered.credentials.certificatePem,
      firstKey,
      readingLines(base, [1, 2, 3, 4, 5]),
    );
    expect(firstAcked).toBe(5);
    expect(await waitForStored(user, deviceId, base, base + 100, firstAcked)).toHaveLength(firstAcked);

    // 2. Rotation from a second CSR: both certificates ACTIVE, the new one current.
    const secondKey = await csrFor(deviceId);
    const rotated = await user.api.call<RotatedCertificate>('POST', `/api/devices/${deviceId}/certificates`, {
      certificateSigningRequest: secondKey.csrPem,
    });
    expect(rotated.credentials).not.toHaveProperty('privateKey');
    const newCertificateId = rotated.certificate.certificateId;
    expect((await certificatesOf(deviceId)).items.map((c) => [c.certificateId, c.status, c.current])).toEqual([
      [newCertificateId, 'ACTIVE', true],
      [oldCertificateId, 'ACTIVE', false],
    ]);
    const secondAcked = await publishWithMosquitto(
      deviceId,
      rotated.credentials.certificatePem,
      secondKey,
      readingLines(base, [6, 7, 8, 9, 10]),
    );
    expect(secondAcked).toBe(5);
    expect(await waitForStored(user, deviceId, base, base + 100, firstAcked + secondAcked)).toHaveLength(firstAcked + secondAcked);

    // The last active certificate cannot go alone (checked on a device holding one).
    await user.api.registerDevice('CSR single', 'csr-e2e-2', (await csrFor('csr-e2e-2')).csrPem);
    const [only] = (await certificatesOf('csr-e2e-2')).items;
    const refused = await user.api.call('POST', `/api/devices/csr-e2e-2/certificates/${only!.certificateId}/revoke`).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(FleetApiError);
    expect(refused).toMatchObject({ status: 409, body: { code: 'LastActiveCertificate' } });

    // 3. A live connection with the old certificate, then its revocation (in the web app when there is a browser).
    const oldDevice: Pick<RegisteredDevice, 'device' | 'credentials'> = {
      device: registered.device,
      credentials: { ...registered.credentials, privateKey: firstKey.privateKeyPem },
    };
    const live = await connectDevice(platform, oldDevice);
    const dropped = new Promise<void>((resolve) => live.once('close', () => resolve()));
    expect(live.connected).toBe(true);

    if (hasChromium) {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        page.on('dialog', (dialog) => void dialog.accept());
        await page.goto(platform.endpoints.gatewayUrl);
        await signIn(page, user.email, user.password);
        await page.goto(`${platform.endpoints.gatewayUrl}/devices/${deviceId}`);
        const panel = page.getByTestId('certificates-panel');
        const statuses = panel.getByTestId('certificate-status');
        await expect.poll(() => statuses.allTextContents(), { timeout: 15_000 }).toEqual(['ACTIVE', 'ACTIVE']);
        expect(await panel.getByTestId(`certificate-${newCertificateId}`).textContent()).toContain('(current)');
        await expectAccessible(page, { include: '[data-testid=certificates-panel]' });
        await saveScreenshot(page, 'device-certificates-two-active');
        await panel
          .getByTestId(`certificate-${oldCertificateId}`)
          .getByRole('button', { name: /Revoke certificate/ })
          .click();
        await expect.poll(() => statuses.allTextContents(), { timeout: 15_000 }).toEqual(['ACTIVE', 'REVOKED']);
        expect(await panel.getByTestId(`certificate-${oldCertificateId}`).getByRole('button').count()).toBe(0);
        await saveScreenshot(page, 'device-certificates-one-revoked');
      } finally {
        await browser.close();
      }
    } else {
      await user.api.call('POST', `/api/devices/${deviceId}/certificates/${oldCertificateId}/revoke`);
    }

    // AWS IoT closes the revoked certificate's connection at once.
    await dropped;
    expect(live.connected).toBe(false);
    live.end(true);
    expect((await certificatesOf(deviceId)).items.map((c) => [c.certificateId, c.status])).toEqual([
      [newCertificateId, 'ACTIVE'],
      [oldCertificateId, 'REVOKED'],
    ]);
    // The old certificate no longer connects; the new one keeps publishing, every acknowledged reading stored once.
    await expect(connectDevice(platform, oldDevice)).rejects.toThrow();
    const thirdAcked = await publishWithMosquitto(
      deviceId,
      rotated.credentials.certificatePem,
      secondKey,
      readingLines(base, [11, 12, 13]),
    );
    expect(thirdAcked).toBe(3);
    const stored = await waitForStored(user, deviceId, base, base + 100, firstAcked + secondAcked + thirdAcked);
    expect(stored.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  }, 240_000);
});
