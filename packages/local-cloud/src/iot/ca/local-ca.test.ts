import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateIdOfPem, loadOrCreateLocalCa, localRootCaName } from './local-ca.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('loadOrCreateLocalCa', () => {
  it('creates a root CA and a server certificate for 127.0.0.1 and localhost signed by it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iot-ca-'));
    dirs.push(dir);
    const ca = await loadOrCreateLocalCa({ dir });
    const root = new X509Certificate(ca.caCertificatePem);
    const server = new X509Certificate(ca.serverCertificatePem);
    expect(root.subject).toContain(localRootCaName);
    expect(root.ca).toBe(true);
    expect(server.verify(root.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
  });

  it('reuses the same CA after a restart, so earlier device certificates stay valid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iot-ca-'));
    dirs.push(dir);
    const first = await loadOrCreateLocalCa({ dir });
    const device = await first.issueDeviceCertificate();
    const second = await loadOrCreateLocalCa({ dir });
    expect(second.caCertificatePem).toBe(first.caCertificatePem);
    const root = new X509Certificate(second.caCertificatePem);
    expect(new X509Certificate(device.certificatePem).verify(root.publicKey)).toBe(true);
  });

  it('issues device certificates with an RSA key pair and the SHA-256 DER id AWS uses', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iot-ca-'));
    dirs.push(dir);
    const ca = await loadOrCreateLocalCa({ dir });
    const device = await ca.issueDeviceCertificate();
    expect(device.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(device.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(device.certificateId).toMatch(/^[0-9a-f]{64}$/);
    expect(certificateIdOfPem(device.certificatePem)).toBe(device.certificateId);
    const cert = new X509Certificate(device.certificatePem);
    expect(cert.fingerprint256.replace(/:/g, '').toLowerCase()).toBe(device.certificateId);
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(device.privateKeyPem))).toBe(true);
  });
});
