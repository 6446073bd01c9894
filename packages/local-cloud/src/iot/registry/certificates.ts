/**
 * Certificates: the record of a certificate the local CA issued (CreateKeysAndCertificate,
 * CreateCertificateFromCsr), ListCertificates,
 * DescribeCertificate, UpdateCertificate and DeleteCertificate with AWS IoT's state rules
 * (a REVOKED certificate stays revoked, an ACTIVE one cannot be deleted). Every status change or
 * deletion is told to the certificate listeners, so the broker closes the connections it carries.
 */
import { AwsError } from '../../aws-endpoint/index.ts';
import type { IssuedCertificateFromCsr } from '../ca/local-ca.ts';
import { invalid, requireCertificate, saveChange, type RegistryContext } from './registry-context.ts';
import type { CertificateRecord, CertificateStatus } from './registry-store.ts';

const certificateStatuses: readonly CertificateStatus[] = [
  'ACTIVE',
  'INACTIVE',
  'REVOKED',
  'PENDING_TRANSFER',
  'REGISTER_INACTIVE',
  'PENDING_ACTIVATION',
];

/** Records a certificate the local CA signed, with or without a key pair (the key is never stored). */
export function addCertificate(context: RegistryContext, issued: IssuedCertificateFromCsr, setAsActive: boolean): CertificateRecord {
  const at = context.now();
  const record: CertificateRecord = {
    certificateId: issued.certificateId,
    certificateArn: context.arn('cert', issued.certificateId),
    certificatePem: issued.certificatePem,
    status: setAsActive ? 'ACTIVE' : 'INACTIVE',
    creationDate: at,
    lastModifiedDate: at,
    notBefore: issued.notBefore.getTime(),
    notAfter: issued.notAfter.getTime(),
  };
  context.state.certificates[record.certificateId] = record;
  saveChange(context);
  return record;
}

export const describeCertificate = (context: RegistryContext, certificateId: string): CertificateRecord =>
  requireCertificate(context, certificateId);

/** Every certificate, oldest first (ListCertificates). */
export const listCertificates = (context: RegistryContext): CertificateRecord[] =>
  Object.values(context.state.certificates).sort((a, b) => a.creationDate - b.creationDate);

/** The certificate, or undefined: the broker's lookup on CONNECT. */
export const findCertificate = (context: RegistryContext, certificateId: string): CertificateRecord | undefined =>
  context.state.certificates[certificateId];

export function updateCertificate(context: RegistryContext, certificateId: string, newStatus: string): void {
  const record = requireCertificate(context, certificateId);
  if (!certificateStatuses.includes(newStatus as CertificateStatus)) {
    throw invalid(`newStatus "${newStatus}" must be one of ${certificateStatuses.join(', ')}`);
  }
  if (record.status === 'REVOKED' && newStatus !== 'REVOKED') {
    throw new AwsError('CertificateStateException', `Certificate ${certificateId} is REVOKED and cannot change status.`, 406);
  }
  record.status = newStatus as CertificateStatus;
  record.lastModifiedDate = context.now();
  saveChange(context);
  notify(context, record.certificateArn, record.status);
}

export function deleteCertificate(context: RegistryContext, certificateId: string): void {
  const { state } = context;
  const record = requireCertificate(context, certificateId);
  if (record.status === 'ACTIVE') {
    throw new AwsError('CertificateStateException', `Certificate ${certificateId} is ACTIVE; set it INACTIVE first.`, 406);
  }
  const principal = record.certificateArn;
  const policies = Object.entries(state.policyTargets).filter(([, targets]) => targets.includes(principal));
  const things = Object.entries(state.thingPrincipals).filter(([, principals]) => principals.includes(principal));
  if (policies.length > 0 || things.length > 0) {
    throw new AwsError('DeleteConflictException', `Certificate ${certificateId} has attached policies or things; detach them first.`, 409);
  }
  delete state.certificates[certificateId];
  saveChange(context);
  notify(context, principal, 'DELETED');
}

function notify(context: RegistryContext, certificateArn: string, status: CertificateStatus | 'DELETED'): void {
  for (const listener of context.certificateListeners) listener(certificateArn, status);
}
