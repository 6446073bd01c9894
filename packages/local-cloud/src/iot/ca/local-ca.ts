/**
 * The local certificate authority. It plays the role of Amazon Root CA 1 (which devices trust
 * for the server) and of AWS IoT's own issuing CA (which signs the certificates
 * CreateKeysAndCertificate hands out). Generated at first start into the data folder and reused
 * afterwards, so device certificates issued before a restart stay valid.
 */
import { createHash, createPrivateKey, webcrypto } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { Logger } from 'pino';
import { readJsonFile, writeFileAtomically } from '../../durable-files/atomic-file.ts';

const crypto = webcrypto;
x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const localRootCaName = 'Fleet Local Root CA';

const ecAlgorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
// AWS IoT's CreateKeysAndCertificate issues RSA 2048 key pairs.
const rsaAlgorithm = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
} as const;

export interface IssuedDeviceCertificate {
  readonly certificatePem: string;
  readonly publicKeyPem: string;
  /** PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`), as AWS returns it. Never stored. */
  readonly privateKeyPem: string;
  /** SHA-256 of the DER certificate, lower-case hex: the AWS IoT certificate id. */
  readonly certificateId: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface LocalCa {
  readonly caCertificatePem: string;
  /** Server identity for 127.0.0.1 / localhost (SAN IP + DNS), signed by the root. */
  readonly serverCertificatePem: string;
  readonly serverPrivateKeyPem: string;
  issueDeviceCertificate(): Promise<IssuedDeviceCertificate>;
}

interface StoredCa {
  readonly caCertificatePem: string;
  readonly caPrivateKeyPkcs8: string;
  readonly serverCertificatePem: string;
  readonly serverPrivateKeyPem: string;
}

/** Loads the CA from `<dir>/ca.json`, creating it on first start. */
export async function loadOrCreateLocalCa(options: { dir: string; log?: Logger }): Promise<LocalCa> {
  await mkdir(options.dir, { recursive: true });
  const file = join(options.dir, 'ca.json');
  let stored = await readJsonFile<StoredCa>(file, 'the local CA written at first start');
  if (!stored) {
    stored = await createCa();
    await writeFileAtomically(file, JSON.stringify(stored, null, 2));
    options.log?.info({ file }, 'local IoT CA created');
  }
  const caCert = new x509.X509Certificate(stored.caCertificatePem);
  const caKey = await crypto.subtle.importKey('pkcs8', pemBody(stored.caPrivateKeyPkcs8), ecAlgorithm, false, ['sign']);

  return {
    caCertificatePem: stored.caCertificatePem,
    serverCertificatePem: stored.serverCertificatePem,
    serverPrivateKeyPem: stored.serverPrivateKeyPem,
    async issueDeviceCertificate() {
      const keys = await crypto.subtle.generateKey(rsaAlgorithm, true, ['sign', 'verify']);
      const notBefore = new Date(Date.now() - 60_000);
      // AWS-issued device certificates are valid until 2049-12-31.
      const notAfter = new Date('2049-12-31T23:59:59Z');
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerial(),
        subject: 'CN=AWS IoT Certificate',
        issuer: caCert.subject,
        notBefore,
        notAfter,
        publicKey: keys.publicKey,
        signingKey: caKey,
        signingAlgorithm: ecAlgorithm,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        ],
      });
      const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
      const privateKeyPem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
        .export({ format: 'pem', type: 'pkcs1' })
        .toString();
      const spki = Buffer.from(await crypto.subtle.exportKey('spki', keys.publicKey));
      return {
        certificatePem: cert.toString('pem'),
        publicKeyPem: toPem(spki, 'PUBLIC KEY'),
        privateKeyPem,
        certificateId: certificateIdOfDer(Buffer.from(cert.rawData)),
        notBefore,
        notAfter,
      };
    },
  };
}

/** AWS IoT certificate id: SHA-256 of the DER encoding, lower-case hex. */
export function certificateIdOfDer(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

export function certificateIdOfPem(pem: string): string {
  return certificateIdOfDer(Buffer.from(new x509.X509Certificate(pem).rawData));
}

async function createCa(): Promise<StoredCa> {
  const caKeys = await crypto.subtle.generateKey(ecAlgorithm, true, ['sign', 'verify']);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${localRootCaName}, O=Fleet`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 20 * 365 * 24 * 3600 * 1000),
    keys: caKeys,
    signingAlgorithm: ecAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await crypto.subtle.generateKey(ecAlgorithm, true, ['sign', 'verify']);
  const serverCert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=localhost',
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000),
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ecAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return {
    caCertificatePem: caCert.toString('pem'),
    caPrivateKeyPkcs8: toPem(Buffer.from(await crypto.subtle.exportKey('pkcs8', caKeys.privateKey)), 'PRIVATE KEY'),
    serverCertificatePem: serverCert.toString('pem'),
    serverPrivateKeyPem: toPem(Buffer.from(await crypto.subtle.exportKey('pkcs8', serverKeys.privateKey)), 'PRIVATE KEY'),
  };
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive INTEGER
  return Buffer.from(bytes).toString('hex');
}

function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
