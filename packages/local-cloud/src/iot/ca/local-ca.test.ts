import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateIdOfPem, InvalidCsrError, loadOrCreateLocalCa, localRootCaName } from './local-ca.ts';

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

describe('issueCertificateFromCsr', () => {
  const run = promisify(execFile);
  /** A key and a CSR made by OpenSSL, as a device maker's tooling makes them; the key never leaves the folder. */
  async function opensslCsr(
    dir: string,
    keyArgs: readonly string[],
    subject = '/CN=sensor-0042/O=Acme',
  ): Promise<{ csr: string; key: string }> {
    const key = join(dir, `key-${keyArgs.join('-').replace(/[^a-z0-9-]/gi, '')}.pem`);
    await run('openssl', ['genpkey', ...keyArgs, '-out', key]);
    const { stdout } = await run('openssl', ['req', '-new', '-key', key, '-subj', subject]);
    return { csr: stdout, key: await readFile(key, 'utf8') };
  }

  it.each([
    ['RSA 2048', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']],
    ['EC P-256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']],
    ['EC P-384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']],
  ])(
    'signs an OpenSSL %s request for its own public key and subject, as a client certificate',
    async (_kind, keyArgs) => {
      const dir = await mkdtemp(join(tmpdir(), 'iot-ca-'));
      dirs.push(dir);
      const ca = await loadOrCreateLocalCa({ dir });
      const { csr, key } = await opensslCsr(dir, keyArgs);
      const issued = await ca.issueCertificateFromCsr(csr);
      const cert = new X509Certificate(issued.certificatePem);
      expect(cert.verify(new X509Certificate(ca.caCertificatePem).publicKey)).toBe(true);
      expect(cert.checkPrivateKey(createPrivateKey(key))).toBe(true);
      expect(cert.subject).toContain('CN=sensor-0042');
      expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
      expect(issued.certificateId).toBe(certificateIdOfPem(issued.certificatePem));
      expect('privateKeyPem' in issued).toBe(false);
    },
    30_000,
  );

  it('refuses what is not a CSR, a request whose signature does not verify, and a key AWS IoT would not take', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iot-ca-'));
    dirs.push(dir);
    const ca = await loadOrCreateLocalCa({ dir });
    await expect(ca.issueCertificateFromCsr('hello')).rejects.toThrow(InvalidCsrError);
    const { csr } = await opensslCsr(dir, ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    // One byte of the signed part changed (inside the subject's "sensor-0042"): the signature no longer matches.
    const der = Buffer.from(csr.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const at = der.indexOf(Buffer.from('sensor-0042'));
    der[at] = der[at]! ^ 1;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    await expect(ca.issueCertificateFromCsr(tampered)).rejects.toThrow(/signature does not match/);
    const weak = await opensslCsr(dir, ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']);
    await expect(ca.issueCertificateFromCsr(weak.csr)).rejects.toThrow(/at least 2048 bits/);
  }, 30_000);
});
