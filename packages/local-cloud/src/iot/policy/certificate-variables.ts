/**
 * AWS IoT's X.509 certificate policy variables: `${iot:Certificate.Subject.CommonName}`,
 * `${iot:Certificate.Issuer.Organization}`, ... resolved from the client certificate of the
 * connection or request, over MQTT and HTTPS alike
 * (https://docs.aws.amazon.com/iot/latest/developerguide/cert-policy-variables.html). An attribute
 * the certificate does not carry stays unresolved, so a statement using it matches nothing.
 */
import type { PolicyContext } from './policy-evaluator.ts';

/**
 * A subject or issuer as Node's TLS layer parses it (`PeerCertificate.subject`): OpenSSL short
 * names, a repeated attribute as an array.
 */
export type CertificateName = Readonly<Record<string, string | readonly string[] | undefined>>;

/** AWS's attribute name → OpenSSL's short name. */
const attributes = {
  Country: 'C',
  Organization: 'O',
  OrganizationalUnit: 'OU',
  DistinguishedNameQualifier: 'dnQualifier',
  State: 'ST',
  CommonName: 'CN',
  SerialNumber: 'serialNumber',
  Title: 'title',
  Surname: 'SN',
  GivenName: 'GN',
  Initials: 'initials',
  Pseudonym: 'pseudonym',
  GenerationQualifier: 'generationQualifier',
} as const;

/** The variable of the subject's common name, the one Fleet's device policy uses. */
export const certificateCommonNameKey = 'iot:Certificate.Subject.CommonName';

/** The certificate variables of one client certificate. */
export function certificateVariables(certificate: {
  readonly subject?: CertificateName | undefined;
  readonly issuer?: CertificateName | undefined;
}): PolicyContext {
  const context: Record<string, string | undefined> = {};
  for (const [part, name] of [
    ['Subject', certificate.subject],
    ['Issuer', certificate.issuer],
  ] as const) {
    for (const [attribute, shortName] of Object.entries(attributes)) {
      const value = name?.[shortName];
      // A repeated attribute: its first value (AWS offers every value only through `.List` variables, not modelled).
      context[`iot:Certificate.${part}.${attribute}`] = typeof value === 'string' ? value : value?.[0];
    }
  }
  return context;
}
