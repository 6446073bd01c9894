import { describe, expect, it } from 'vitest';
import { addCertificate } from './certificates.ts';
import { certificateIdOfArn, checkPrincipal, requireCertificate, requirePolicy, requireThing, saveChange } from './registry-context.ts';
import { identityId, issuedCertificate, testContext } from './registry-test-context.ts';

describe('registry context', () => {
  it('builds ARNs of the configured region and account', () => {
    const { context } = testContext();
    expect(context.arn('thing', 'alpha')).toBe('arn:aws:iot:us-east-1:000000000000:thing/alpha');
  });

  it('saveChange persists, bumps the revision and forgets the policies cached per principal', () => {
    const t = testContext();
    t.context.documentsByPrincipal.set('p', []);
    saveChange(t.context, [{ put: 'things', key: 'x' }]);
    expect(t.saves()).toBe(1);
    expect(t.context.revision).toBe(1);
    expect(t.context.documentsByPrincipal.size).toBe(0);
  });

  it('answers ResourceNotFoundException for a thing, certificate or policy that does not exist', () => {
    const { context } = testContext();
    expect(() => requireThing(context, 'x')).toThrow(expect.objectContaining({ code: 'ResourceNotFoundException', status: 404 }));
    expect(() => requireCertificate(context, 'x')).toThrow(/certificate x does not exist/);
    expect(() => requirePolicy(context, 'x')).toThrow(/Policy not found: x/);
  });

  it('reads the certificate id of a certificate ARN of this account only', () => {
    const { context } = testContext();
    expect(certificateIdOfArn(context, context.arn('cert', 'abc'))).toBe('abc');
    expect(certificateIdOfArn(context, 'arn:aws:iot:eu-west-1:000000000000:cert/abc')).toBeUndefined();
    expect(certificateIdOfArn(context, identityId)).toBeUndefined();
  });

  it('accepts as principal an existing certificate of this account or a Cognito identity id, nothing else', () => {
    const { context } = testContext();
    const certificate = addCertificate(context, issuedCertificate(), true);
    expect(() => checkPrincipal(context, certificate.certificateArn)).not.toThrow();
    expect(() => checkPrincipal(context, identityId)).not.toThrow();
    expect(() => checkPrincipal(context, context.arn('cert', 'unknown'))).toThrow(
      expect.objectContaining({ code: 'ResourceNotFoundException' }),
    );
    expect(() => checkPrincipal(context, 'someone')).toThrow(expect.objectContaining({ code: 'InvalidRequestException' }));
  });
});
