import { describe, expect, it } from 'vitest';
import { attachPolicy } from './attachments.ts';
import { createPolicy, createPolicyVersion, deletePolicy, getPolicy, listPolicies, validatePolicyDocument } from './policies.ts';
import { allowAll, identityId, testContext } from './registry-test-context.ts';

const denyAll = JSON.stringify({ Statement: { Effect: 'Deny', Action: 'iot:*', Resource: '*' } });

describe('policies', () => {
  it('creates a policy with version 1 as default, and answers its default document', () => {
    const t = testContext();
    const record = createPolicy(t.context, 'device', allowAll);
    expect(record).toMatchObject({ policyName: 'device', policyArn: t.context.arn('policy', 'device'), defaultVersionId: '1' });
    expect(getPolicy(t.context, 'device')).toEqual({ record, document: allowAll });
    expect(t.saves()).toBe(1);
  });

  it('refuses a bad name and an existing name', () => {
    const { context } = testContext();
    createPolicy(context, 'device', allowAll);
    expect(() => createPolicy(context, 'has space', allowAll)).toThrow(expect.objectContaining({ code: 'InvalidRequestException' }));
    expect(() => createPolicy(context, 'device', allowAll)).toThrow(expect.objectContaining({ code: 'ResourceAlreadyExistsException' }));
  });

  it('lists policies by name', () => {
    const { context } = testContext();
    createPolicy(context, 'b', allowAll);
    createPolicy(context, 'a', allowAll);
    expect(listPolicies(context).map((p) => p.policyName)).toEqual(['a', 'b']);
  });

  it('adds versions, the default one when asked, up to five', () => {
    const { context } = testContext();
    createPolicy(context, 'device', allowAll);
    expect(createPolicyVersion(context, 'device', denyAll, false)).toMatchObject({ versionId: '2', isDefaultVersion: false });
    expect(getPolicy(context, 'device').document).toBe(allowAll);
    createPolicyVersion(context, 'device', denyAll, true);
    expect(getPolicy(context, 'device')).toMatchObject({ record: { defaultVersionId: '3' }, document: denyAll });
    createPolicyVersion(context, 'device', denyAll, false);
    createPolicyVersion(context, 'device', denyAll, false);
    expect(() => createPolicyVersion(context, 'device', denyAll, false)).toThrow(
      expect.objectContaining({ code: 'VersionsLimitExceededException', status: 409 }),
    );
  });

  it('deletes a policy unless it is attached', () => {
    const { context } = testContext();
    createPolicy(context, 'free', allowAll);
    createPolicy(context, 'used', allowAll);
    attachPolicy(context, 'used', identityId);
    expect(() => deletePolicy(context, 'used')).toThrow(expect.objectContaining({ code: 'DeleteConflictException' }));
    deletePolicy(context, 'free');
    expect(() => getPolicy(context, 'free')).toThrow(expect.objectContaining({ code: 'ResourceNotFoundException' }));
  });
});

describe('validatePolicyDocument', () => {
  it('accepts JSON with Allow or Deny statements, one or a list', () => {
    expect(validatePolicyDocument(allowAll)).toBe(allowAll);
    expect(validatePolicyDocument(denyAll)).toBe(denyAll);
  });

  it('answers MalformedPolicyException for a missing document, bad JSON, no statement or another effect', () => {
    const bad = [undefined, '', '{', '{"Statement":[]}', '{"Statement":[{"Effect":"Maybe"}]}', '{"Version":"2012-10-17"}'];
    for (const document of bad) {
      expect(() => validatePolicyDocument(document)).toThrow(expect.objectContaining({ code: 'MalformedPolicyException', status: 400 }));
    }
  });
});
