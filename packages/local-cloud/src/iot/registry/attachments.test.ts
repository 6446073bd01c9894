import { describe, expect, it } from 'vitest';
import {
  attachPolicy,
  attachThingPrincipal,
  detachPolicy,
  detachThingPrincipal,
  isThingAttachedTo,
  listAttachedPolicies,
  listPrincipalThings,
  listThingPrincipals,
  policyDocumentsOf,
} from './attachments.ts';
import { addCertificate } from './certificates.ts';
import { createPolicy, createPolicyVersion } from './policies.ts';
import { createThing } from './things.ts';
import { allowAll, identityId, issuedCertificate, testContext } from './registry-test-context.ts';

const denyPublish = JSON.stringify({ Statement: [{ Effect: 'Deny', Action: 'iot:Publish', Resource: '*' }] });

describe('policy attachments', () => {
  it('attaches a policy to a certificate or an identity once, lists and detaches it', () => {
    const { context } = testContext();
    const certificate = addCertificate(context, issuedCertificate(), true);
    createPolicy(context, 'b', allowAll);
    createPolicy(context, 'a', allowAll);
    attachPolicy(context, 'b', certificate.certificateArn);
    attachPolicy(context, 'b', certificate.certificateArn);
    attachPolicy(context, 'a', certificate.certificateArn);
    attachPolicy(context, 'a', identityId);
    expect(listAttachedPolicies(context, certificate.certificateArn).map((p) => p.policyName)).toEqual(['a', 'b']);
    expect(context.state.policyTargets.b).toEqual([certificate.certificateArn]);
    detachPolicy(context, 'a', certificate.certificateArn);
    expect(listAttachedPolicies(context, certificate.certificateArn).map((p) => p.policyName)).toEqual(['b']);
    expect(listAttachedPolicies(context, identityId).map((p) => p.policyName)).toEqual(['a']);
  });

  it('refuses an unknown policy or a target that is no principal', () => {
    const { context } = testContext();
    createPolicy(context, 'a', allowAll);
    expect(() => attachPolicy(context, 'missing', identityId)).toThrow(expect.objectContaining({ code: 'ResourceNotFoundException' }));
    expect(() => attachPolicy(context, 'a', 'nobody')).toThrow(expect.objectContaining({ code: 'InvalidRequestException' }));
    expect(() => detachPolicy(context, 'missing', identityId)).toThrow(expect.objectContaining({ code: 'ResourceNotFoundException' }));
  });
});

describe('policyDocumentsOf', () => {
  it('answers the parsed default version of each attached policy', () => {
    const { context } = testContext();
    createPolicy(context, 'a', allowAll);
    createPolicy(context, 'b', allowAll);
    createPolicyVersion(context, 'b', denyPublish, true);
    attachPolicy(context, 'a', identityId);
    attachPolicy(context, 'b', identityId);
    expect(policyDocumentsOf(context, identityId)).toEqual([JSON.parse(allowAll), JSON.parse(denyPublish)]);
    expect(policyDocumentsOf(context, 'someone else')).toEqual([]);
  });

  it('serves the same answer until a change, then the new one', () => {
    const { context } = testContext();
    createPolicy(context, 'a', allowAll);
    attachPolicy(context, 'a', identityId);
    const first = policyDocumentsOf(context, identityId);
    expect(policyDocumentsOf(context, identityId)).toBe(first);
    createPolicyVersion(context, 'a', denyPublish, true);
    expect(policyDocumentsOf(context, identityId)).toEqual([JSON.parse(denyPublish)]);
    detachPolicy(context, 'a', identityId);
    expect(policyDocumentsOf(context, identityId)).toEqual([]);
  });
});

describe('thing principals', () => {
  it('attaches principals to a thing once, lists both ways and detaches', () => {
    const { context } = testContext();
    const certificate = addCertificate(context, issuedCertificate(), true);
    createThing(context, { thingName: 'beta' });
    createThing(context, { thingName: 'alpha' });
    attachThingPrincipal(context, 'beta', certificate.certificateArn);
    attachThingPrincipal(context, 'alpha', certificate.certificateArn);
    attachThingPrincipal(context, 'alpha', certificate.certificateArn);
    attachThingPrincipal(context, 'alpha', identityId);
    expect(listThingPrincipals(context, 'alpha')).toEqual([certificate.certificateArn, identityId]);
    expect(listPrincipalThings(context, certificate.certificateArn)).toEqual(['alpha', 'beta']);
    detachThingPrincipal(context, 'alpha', certificate.certificateArn);
    expect(listThingPrincipals(context, 'alpha')).toEqual([identityId]);
  });

  it('refuses an unknown thing or a principal that is none', () => {
    const { context } = testContext();
    createThing(context, { thingName: 'alpha' });
    expect(() => attachThingPrincipal(context, 'missing', identityId)).toThrow(
      expect.objectContaining({ code: 'ResourceNotFoundException' }),
    );
    expect(() => attachThingPrincipal(context, 'alpha', 'nobody')).toThrow(expect.objectContaining({ code: 'InvalidRequestException' }));
    expect(() => listThingPrincipals(context, 'missing')).toThrow(expect.objectContaining({ code: 'ResourceNotFoundException' }));
  });

  it('tells whether the thing named like a client id is attached to the connecting principal', () => {
    const { context } = testContext();
    createThing(context, { thingName: 'alpha' });
    attachThingPrincipal(context, 'alpha', identityId);
    expect(isThingAttachedTo(context, 'alpha', identityId)).toBe(true);
    expect(isThingAttachedTo(context, 'alpha', 'us-east-1:00000000-0000-0000-0000-000000000000')).toBe(false);
    expect(isThingAttachedTo(context, 'beta', identityId)).toBe(false);
  });
});
