import { describe, expect, it } from 'vitest';
import { attachThingPrincipal } from './attachments.ts';
import { addCertificate, deleteCertificate, describeCertificate, findCertificate, updateCertificate } from './certificates.ts';
import { createThing } from './things.ts';
import { issuedCertificate, testContext } from './registry-test-context.ts';

describe('certificates', () => {
  it('records an issued certificate, ACTIVE or INACTIVE, with its validity and dates', () => {
    const t = testContext();
    const issued = issuedCertificate();
    const record = addCertificate(t.context, issued, true);
    expect(record).toMatchObject({
      certificateId: issued.certificateId,
      certificateArn: t.context.arn('cert', issued.certificateId),
      status: 'ACTIVE',
      notBefore: issued.notBefore.getTime(),
      notAfter: issued.notAfter.getTime(),
      creationDate: t.context.now(),
    });
    expect(addCertificate(t.context, issuedCertificate(), false).status).toBe('INACTIVE');
    expect(describeCertificate(t.context, issued.certificateId)).toBe(record);
    expect(findCertificate(t.context, 'unknown')).toBeUndefined();
    expect(() => describeCertificate(t.context, 'unknown')).toThrow(expect.objectContaining({ code: 'ResourceNotFoundException' }));
  });

  it('changes status, dates the change and tells the listeners', () => {
    const t = testContext();
    const record = addCertificate(t.context, issuedCertificate(), true);
    const told: string[] = [];
    t.context.certificateListeners.push((arn, status) => told.push(`${arn} ${status}`));
    t.tick(5000);
    updateCertificate(t.context, record.certificateId, 'INACTIVE');
    expect(record).toMatchObject({ status: 'INACTIVE', lastModifiedDate: record.creationDate + 5000 });
    expect(told).toEqual([`${record.certificateArn} INACTIVE`]);
  });

  it('refuses an unknown status, and any change of a REVOKED certificate but to REVOKED', () => {
    const { context } = testContext();
    const record = addCertificate(context, issuedCertificate(), true);
    expect(() => updateCertificate(context, record.certificateId, 'GONE')).toThrow(
      expect.objectContaining({ code: 'InvalidRequestException' }),
    );
    updateCertificate(context, record.certificateId, 'REVOKED');
    expect(() => updateCertificate(context, record.certificateId, 'ACTIVE')).toThrow(
      expect.objectContaining({ code: 'CertificateStateException', status: 406 }),
    );
    expect(() => updateCertificate(context, record.certificateId, 'REVOKED')).not.toThrow();
  });

  it('deletes an inactive certificate without attachments and tells the listeners; refuses an ACTIVE or attached one', () => {
    const { context } = testContext();
    const told: string[] = [];
    context.certificateListeners.push((_arn, status) => told.push(status));
    const active = addCertificate(context, issuedCertificate(), true);
    expect(() => deleteCertificate(context, active.certificateId)).toThrow(expect.objectContaining({ code: 'CertificateStateException' }));
    const attached = addCertificate(context, issuedCertificate(), false);
    createThing(context, { thingName: 'alpha' });
    attachThingPrincipal(context, 'alpha', attached.certificateArn);
    expect(() => deleteCertificate(context, attached.certificateId)).toThrow(expect.objectContaining({ code: 'DeleteConflictException' }));
    const free = addCertificate(context, issuedCertificate(), false);
    deleteCertificate(context, free.certificateId);
    expect(findCertificate(context, free.certificateId)).toBeUndefined();
    expect(told).toEqual(['DELETED']);
  });
});
