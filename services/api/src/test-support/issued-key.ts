/**
 * What a test checks of a certificate the API answered with the private key it made: whose name the
 * certificate carries, which kind of key it is, and whether the key is the certificate's own.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { subjectCommonName } from '../devices/device-credentials.ts';

export interface IssuedKeyFacts {
  readonly commonName: string | undefined;
  /** `ec/prime256v1` for the API's keys (`@fleet/core/device-key`). */
  readonly keyKind: string;
  /** The private key is the one whose public key the certificate holds. */
  readonly keyMatchesCertificate: boolean;
}

export function issuedKeyFacts(certificatePem: string, privateKeyPem: string): IssuedKeyFacts {
  const key = createPrivateKey(privateKeyPem);
  return {
    commonName: subjectCommonName(certificatePem),
    keyKind: `${key.asymmetricKeyType}/${key.asymmetricKeyDetails?.namedCurve ?? key.asymmetricKeyDetails?.modulusLength}`,
    keyMatchesCertificate: new X509Certificate(certificatePem).checkPrivateKey(key),
  };
}
