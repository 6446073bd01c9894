// Before @peculiar/x509, as in device-key.ts.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { createDeviceKey } from './device-key.ts';

describe('a device key and its certificate signing request', () => {
  it('gives an EC P-256 key and a CSR for that key, signed by it, whose subject is CN=<device id>', async () => {
    const { privateKeyPem, csrPem } = await createDeviceKey('sim-0001');
    const key = createPrivateKey(privateKeyPem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    expect(csr.subject).toBe('CN=sim-0001');
    expect(csr.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
    expect(await csr.verify()).toBe(true);
    const csrKey = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
    expect(csrKey.export({ format: 'pem', type: 'spki' })).toBe(createPublicKey(key).export({ format: 'pem', type: 'spki' }));
    expect(csrPem).not.toContain('PRIVATE KEY');
  });

  it('keeps a common name with separators as one value (a serial number such as "SN,42+A")', async () => {
    const csr = new x509.Pkcs10CertificateRequest((await createDeviceKey('SN,42+A')).csrPem);
    expect(csr.subjectName.getField('CN')).toEqual(['SN,42+A']);
  });

  it('makes a new key every time', async () => {
    const [a, b] = await Promise.all([createDeviceKey('d-1'), createDeviceKey('d-1')]);
    expect(a.privateKeyPem).not.toBe(b.privateKeyPem);
  });
});
