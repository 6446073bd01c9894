/**
 * A device's certificates on the wire (`/api/devices/:id/certificates`): the list, rotation (a new
 * certificate, generated or signed from the device's CSR, beside the old one) and revocation of one
 * certificate. A device may hold several ACTIVE certificates while it switches over at its own
 * pace; the registry's `certificateId` is the current one, the newest Fleet handed out.
 */
import { Type, type Static } from 'typebox';
import { DeviceCredentialsSchema } from './device-contract.ts';

const isoTime = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description: `${description} (ISO 8601)` });

export const deviceCertificateLimits = {
  /** A PEM CSR of an RSA 4096 key is ≈ 1.7 KB; the API's body limit is 16 KiB. */
  maxCsrLength: 8192,
  /** Certificates attached to one device at once (ACTIVE or INACTIVE): revoke old ones before rotating again. */
  maxAttached: 10,
  /** REVOKED certificates a device lists; older ones are deleted from AWS IoT. */
  maxRevokedKept: 20,
} as const;

/** The statuses AWS IoT gives a certificate (DescribeCertificate). */
export const certificateStatuses = [
  'ACTIVE',
  'INACTIVE',
  'REVOKED',
  'PENDING_TRANSFER',
  'REGISTER_INACTIVE',
  'PENDING_ACTIVATION',
] as const;

/** What a PEM PKCS#10 request holds somewhere (the CA judges the rest). */
export const csrPemMarker = '-----BEGIN (NEW )?CERTIFICATE REQUEST-----';

/** A PEM PKCS#10 request made by the device: the private key stays on it. */
export const CertificateSigningRequestSchema = Type.String({
  minLength: 1,
  maxLength: deviceCertificateLimits.maxCsrLength,
  pattern: csrPemMarker,
  description: 'A PEM PKCS#10 certificate signing request (RSA of 2048 bits or more, or EC P-256/384/521), e.g. from `openssl req -new`',
});

/** AWS IoT's certificate id: the SHA-256 of the DER certificate, lower-case hex. */
export const CertificateIdSchema = Type.String({ pattern: '^[0-9a-f]{64}$', maxLength: 64, description: 'AWS IoT certificate id' });

export const DeviceCertificateSchema = Type.Object(
  {
    certificateId: CertificateIdSchema,
    status: Type.Enum(certificateStatuses, { description: 'AWS IoT status: only ACTIVE certificates connect' }),
    createdAt: isoTime('When AWS IoT created it'),
    notAfter: isoTime('End of its validity'),
    current: Type.Boolean({ description: 'The newest certificate Fleet handed out for the device (its registry entry)' }),
    revokedAt: Type.Optional(isoTime('When it was revoked')),
  },
  { title: 'DeviceCertificate' },
);
export type DeviceCertificate = Static<typeof DeviceCertificateSchema>;

/** `GET /api/devices/:id/certificates`: newest first; revoked ones (the last `maxRevokedKept`) too. */
export const DeviceCertificateListSchema = Type.Object({
  items: Type.Array(DeviceCertificateSchema, { maxItems: deviceCertificateLimits.maxAttached + deviceCertificateLimits.maxRevokedKept }),
});
export type DeviceCertificateList = Static<typeof DeviceCertificateListSchema>;

/** `POST /api/devices/:id/certificates` body: with a CSR the device keeps its key, without one a key pair is generated. */
export const RotateCertificateBodySchema = Type.Object(
  { certificateSigningRequest: Type.Optional(CertificateSigningRequestSchema) },
  { additionalProperties: false },
);
export type RotateCertificateBody = Static<typeof RotateCertificateBodySchema>;

/** `POST /api/devices/:id/certificates` (201): the new certificate, and what the device needs to use it. */
export const RotatedCertificateSchema = Type.Object({ certificate: DeviceCertificateSchema, credentials: DeviceCredentialsSchema });
export type RotatedCertificate = Static<typeof RotatedCertificateSchema>;

/** `POST /api/devices/:id/certificates/:certificateId/revoke` (200): the certificate, now REVOKED. */
export const RevokedCertificateSchema = DeviceCertificateSchema;
