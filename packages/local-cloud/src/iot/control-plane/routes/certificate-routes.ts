/**
 * Control-plane routes of certificates (restJson1 paths of `@aws-sdk/client-iot`):
 * CreateKeysAndCertificate (issued by the local CA; the private key leaves in this answer only, as
 * on AWS), DescribeCertificate, UpdateCertificate and DeleteCertificate. Shapes follow the AWS IoT
 * API reference; the registry (registry/certificates.ts) decides.
 */
import type { LocalCa } from '../../ca/local-ca.ts';
import type { IotRegistry } from '../../registry/iot-registry.ts';
import type { CertificateRecord } from '../../registry/registry-store.ts';
import { boolParam, epochSeconds, requiredString, type RestRoute } from '../rest-json.ts';

export function certificateRoutes(registry: IotRegistry, ca: LocalCa): RestRoute[] {
  const describeCertificate = (c: CertificateRecord) => ({
    certificateArn: c.certificateArn,
    certificateId: c.certificateId,
    status: c.status,
    certificatePem: c.certificatePem,
    ownedBy: registry.accountId,
    creationDate: epochSeconds(c.creationDate),
    lastModifiedDate: epochSeconds(c.lastModifiedDate),
    customerVersion: 1,
    generationId: String(c.lastModifiedDate),
    validity: { notBefore: epochSeconds(c.notBefore), notAfter: epochSeconds(c.notAfter) },
    certificateMode: 'DEFAULT',
  });

  return [
    {
      method: 'POST',
      path: '/keys-and-certificate',
      operation: async (req) => {
        const issued = await ca.issueDeviceCertificate();
        // The private key leaves in this answer only, as on AWS: it is never stored.
        const record = registry.addCertificate(issued, boolParam(req.query, 'setAsActive') ?? false);
        return {
          certificateArn: record.certificateArn,
          certificateId: record.certificateId,
          certificatePem: record.certificatePem,
          keyPair: { PublicKey: issued.publicKeyPem, PrivateKey: issued.privateKeyPem },
        };
      },
    },
    {
      method: 'GET',
      path: '/certificates/{certificateId}',
      operation: (req) => ({
        certificateDescription: describeCertificate(registry.describeCertificate(req.labels.certificateId as string)),
      }),
    },
    {
      method: 'PUT',
      path: '/certificates/{certificateId}',
      operation: (req) =>
        registry.updateCertificate(req.labels.certificateId as string, requiredString(req.query.get('newStatus'), 'newStatus')),
    },
    {
      method: 'DELETE',
      path: '/certificates/{certificateId}',
      operation: (req) => registry.deleteCertificate(req.labels.certificateId as string),
    },
  ];
}
