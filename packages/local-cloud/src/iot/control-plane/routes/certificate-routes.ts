/**
 * Control-plane routes of certificates (restJson1 paths of `@aws-sdk/client-iot`):
 * CreateKeysAndCertificate (issued by the local CA; the private key leaves in this answer only, as
 * on AWS), CreateCertificateFromCsr (the device keeps its key), DescribeCertificate,
 * ListCertificates, UpdateCertificate and DeleteCertificate. Shapes follow the AWS IoT API
 * reference; the registry (registry/certificates.ts) decides.
 */
import { AwsError } from '../../../aws-endpoint/index.ts';
import { InvalidCsrError, type LocalCa } from '../../ca/local-ca.ts';
import type { IotRegistry } from '../../registry/iot-registry.ts';
import type { CertificateRecord } from '../../registry/registry-store.ts';
import { boolParam, epochSeconds, intParam, paginate, requiredString, type RestRoute } from '../rest-json.ts';

/** ListCertificates' largest `pageSize` (AWS IoT API Reference). */
const maxCertificatePage = 250;

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
      method: 'POST',
      path: '/certificates',
      operation: async (req) => {
        const csrPem = requiredString(req.json()['certificateSigningRequest'], 'certificateSigningRequest');
        let issued;
        try {
          issued = await ca.issueCertificateFromCsr(csrPem);
        } catch (err) {
          if (err instanceof InvalidCsrError) throw new AwsError('InvalidRequestException', err.message, 400);
          throw err;
        }
        const record = registry.addCertificate(issued, boolParam(req.query, 'setAsActive') ?? false);
        return { certificateArn: record.certificateArn, certificateId: record.certificateId, certificatePem: record.certificatePem };
      },
    },
    {
      method: 'GET',
      path: '/certificates',
      operation: (req) => {
        // Newest last unless isAscendingOrder=false, as AWS sorts by creation date.
        const ascending = boolParam(req.query, 'isAscendingOrder') ?? true;
        const all = registry.listCertificates();
        const sorted = ascending ? all : [...all].reverse();
        const { page, next } = paginate(sorted, req.query.get('marker'), intParam(req.query, 'pageSize'), maxCertificatePage);
        return {
          certificates: page.map((c) => ({
            certificateArn: c.certificateArn,
            certificateId: c.certificateId,
            status: c.status,
            certificateMode: 'DEFAULT',
            creationDate: epochSeconds(c.creationDate),
          })),
          ...(next ? { nextMarker: next } : {}),
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
