// Before @peculiar/x509, as in device-key.ts.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { createDeviceKey } from './device-key.ts';

describe('a device key made on the device (--csr)', () => {
  it('gives a P-256 key and a self-signed CSR for it, naming the device', async () => {
    const { privateKeyPem, csrPem } = await createDeviceKey('sim-0001');
    const key = createPrivateKey(privateKeyPem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    expect(csr.subject).toBe('CN=sim-0001');
    expect(await csr.verify()).toBe(true);
    const csrKey = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
    expect(csrKey.export({ format: 'pem', type: 'spki' })).toBe(createPublicKey(key).export({ format: 'pem', type: 'spki' }));
    expect(csrPem).not.toContain('PRIVATE KEY');
  });
});
