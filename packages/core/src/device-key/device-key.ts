/**
 * A device's key pair and its PKCS#10 certificate signing request, made where the key will live:
 * by the API Service for a registration without a CSR (the key is answered once, then forgotten),
 * and by the simulator for a device that keeps its own key (`--csr`, claim provisioning's
 * `create-from-csr`). The request goes to CreateCertificateFromCsr, so every certificate Fleet has
 * signed names its device in its subject's common name: the device policy lets HTTPS publish
 * through `${iot:Certificate.Subject.CommonName}` (`iot-policies.ts`).
 *
 * EC P-256 rather than the RSA-2048 pair CreateKeysAndCertificate makes: AWS IoT accepts both
 * (https://docs.aws.amazon.com/iot/latest/developerguide/x509-client-certs.html), and a P-256 pair
 * with its CSR costs ≈ 3 ms where an RSA-2048 pair alone costs 60–355 ms on this 2-core machine (by
 * load), which held a bulk import of 10,000 devices to 25 minutes.
 */
import { KeyObject, webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface DeviceKey {
  /** PKCS#8 PEM (`BEGIN PRIVATE KEY`): mosquitto, curl, Node and AWS's device SDKs read it. */
  readonly privateKeyPem: string;
  /** The request to send as `certificateSigningRequest`; it holds the public key only. */
  readonly csrPem: string;
}

/**
 * A fresh EC P-256 key pair and a CSR for it, signed with it (proof of possession), whose subject
 * is `CN=<commonName>`: the device id, or a claim-provisioned device's serial number.
 */
export async function createDeviceKey(commonName: string): Promise<DeviceKey> {
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  // The name as a list of attributes, not the text `CN=…`: a serial number with `,` or `+` stays one value.
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: [{ CN: [commonName] }], keys, signingAlgorithm: algorithm });
  const privateKeyPem = KeyObject.from(keys.privateKey).export({ format: 'pem', type: 'pkcs8' }) as string;
  return { privateKeyPem, csrPem: csr.toString('pem') };
}
