/**
 * The local certificate authority. It plays the role of Amazon Root CA 1 (which devices trust
 * for the server) and of AWS IoT's own issuing CA (which signs the certificates
 * CreateKeysAndCertificate hands out). Generated at first start into the data folder and reused
 * afterwards, so device certificates issued before a restart stay valid.
 */
import { createHash, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { Logger } from 'pino';
import { generatedCertificateCommonName } from '@fleet/core';
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
  /**
   * Signs a device's PKCS#10 request (CreateCertificateFromCsr, fleet provisioning's
   * `create-from-csr`): the device keeps its private key. The certificate carries the request's
   * subject and public key; throws `InvalidCsrError` for a request that does not parse, whose
   * signature does not verify (no proof of possession), or whose key AWS IoT would not accept.
   */
  issueCertificateFromCsr(csrPem: string): Promise<IssuedCertificateFromCsr>;
}

/** A certificate signed from a CSR: no private key, the device has it. */
export type IssuedCertificateFromCsr = Omit<IssuedDeviceCertificate, 'privateKeyPem'>;

/** A CSR the CA refuses; the control plane answers it as `InvalidRequestException`. */
export class InvalidCsrError extends Error {
  constructor(reason: string) {
    super(`Invalid certificate signing request: ${reason}`);
    this.name = 'InvalidCsrError';
  }
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
      const signed = await sign(`CN=${generatedCertificateCommonName}`, keys.publicKey);
      const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
      const privateKeyPem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
        .export({ format: 'pem', type: 'pkcs1' })
        .toString();
      return { ...signed, privateKeyPem };
    },
    async issueCertificateFromCsr(csrPem) {
      let csr: x509.Pkcs10CertificateRequest;
      try {
        csr = new x509.Pkcs10CertificateRequest(csrPem.trim());
      } catch {
        throw new InvalidCsrError('not a PEM-encoded PKCS#10 request');
      }
      const publicKey = await acceptedPublicKey(csr);
      if (!(await csr.verify())) throw new InvalidCsrError('its signature does not match its public key');
      return sign(csr.subject || `CN=${generatedCertificateCommonName}`, publicKey);
    },
  };

  /** A device certificate for `publicKey`, signed by the CA; valid until 2049-12-31 as AWS-issued ones are. */
  async function sign(subject: string, publicKey: webcrypto.CryptoKey): Promise<IssuedCertificateFromCsr> {
    const notBefore = new Date(Date.now() - 60_000);
    const notAfter = new Date('2049-12-31T23:59:59Z');
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject,
      issuer: caCert.subject,
      notBefore,
      notAfter,
      publicKey,
      signingKey: caKey,
      signingAlgorithm: ecAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
        await x509.SubjectKeyIdentifierExtension.create(publicKey),
      ],
    });
    const spki = Buffer.from(await crypto.subtle.exportKey('spki', publicKey));
    return {
      certificatePem: cert.toString('pem'),
      publicKeyPem: toPem(spki, 'PUBLIC KEY'),
      certificateId: certificateIdOfDer(Buffer.from(cert.rawData)),
      notBefore,
      notAfter,
    };
  }
}

/**
 * The CSR's public key, if AWS IoT accepts its kind: RSA of 2,048 bits or more, or EC on P-256,
 * P-384 or P-521 (https://docs.aws.amazon.com/iot/latest/developerguide/x509-client-certs.html).
 */
async function acceptedPublicKey(csr: x509.Pkcs10CertificateRequest): Promise<webcrypto.CryptoKey> {
  const spki = Buffer.from(csr.publicKey.rawData);
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < 2048) throw new InvalidCsrError('an RSA key must have at least 2048 bits');
    return crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['verify']);
  }
  const curves: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
  const namedCurve = key.asymmetricKeyType === 'ec' ? curves[details.namedCurve ?? ''] : undefined;
  if (!namedCurve) throw new InvalidCsrError('the key must be RSA (2048 bits or more) or EC on P-256, P-384 or P-521');
  return crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve }, true, ['verify']);
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
