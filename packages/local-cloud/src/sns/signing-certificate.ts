/**
 * The key SNS signs its HTTP/S and e-mail-json messages with, and the certificate receivers fetch
 * from `SigningCertURL` to verify them. Created once (RSA 2048, self-signed, as the role of
 * `https://sns.<region>.amazonaws.com/SimpleNotificationService-<id>.pem`) in the SNS data folder and
 * reused after a restart, so messages still pending from before verify against the same certificate.
 */
import { createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { writeFileAtomically } from '../durable-files/atomic-file.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface SigningCertificate {
  readonly privateKey: KeyObject;
  readonly certificatePem: string;
}

const rsaAlgorithm = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
} as const;

export async function loadOrCreateSigningCertificate(dataDir: string): Promise<SigningCertificate> {
  const keyFile = join(dataDir, 'signing-key.pem');
  const certificateFile = join(dataDir, 'SimpleNotificationService.pem');
  const existing = await Promise.all([readIfExists(keyFile), readIfExists(certificateFile)]);
  if (existing[0] !== undefined && existing[1] !== undefined) {
    return { privateKey: createPrivateKey(existing[0]), certificatePem: existing[1] };
  }
  const keys = await webcrypto.subtle.generateKey(rsaAlgorithm, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Date.now().toString(16),
    name: 'CN=sns.local.fleet, O=Fleet local cloud',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 20 * 365 * 24 * 3600 * 1000),
    keys,
    signingAlgorithm: rsaAlgorithm,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
  const certificatePem = certificate.toString('pem');
  // The key first: a crash between the two writes leaves no certificate, and both are made again.
  await writeFileAtomically(keyFile, keyPem);
  await writeFileAtomically(certificateFile, certificatePem, { mode: 0o644 });
  return { privateKey: createPrivateKey(keyPem), certificatePem };
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
