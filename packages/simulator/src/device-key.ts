/**
 * `--csr`: a simulated device makes its own key pair (EC P-256, one of the kinds AWS IoT accepts)
 * and a PKCS#10 request for it, and registers with the request, so its private key never crosses
 * the API: the way a device with a secure element is provisioned.
 */
import { webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface DeviceKey {
  /** PKCS#8 PEM; it stays with the device (the simulator's device store). */
  readonly privateKeyPem: string;
  /** The request to send as `certificateSigningRequest`. */
  readonly csrPem: string;
}

/** A fresh key pair and a CSR whose subject names the device. */
export async function createDeviceKey(deviceId: string): Promise<DeviceKey> {
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${deviceId}`, keys, signingAlgorithm: algorithm });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const body = pkcs8.toString('base64').match(/.{1,64}/g) ?? [];
  return { privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${body.join('\n')}\n-----END PRIVATE KEY-----\n`, csrPem: csr.toString('pem') };
}
