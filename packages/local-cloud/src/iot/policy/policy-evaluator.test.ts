import { describe, expect, it } from 'vitest';
import { browserPolicyDocument, devicePolicyDocument } from '@fleet/core';
import { connectionContext, evaluatePolicies, substituteVariables, wildcardMatch, type PolicyDocument } from './policy-evaluator.ts';

const region = 'us-east-1';
const account = '000000000000';
const arn = (kind: string, name: string) => `arn:aws:iot:${region}:${account}:${kind}/${name}`;
const device = devicePolicyDocument(region, account);
const browser = browserPolicyDocument(region, account);
const attached = connectionContext({ clientId: 'dev-1', thingName: 'dev-1' });
const notAttached = connectionContext({ clientId: 'dev-1' });

describe('evaluatePolicies with the device policy', () => {
  it('allows connecting with the attached thing name as client id', () => {
    expect(evaluatePolicies([device], 'iot:Connect', arn('client', 'dev-1'), attached)).toBe('allow');
  });
  it('refuses connecting when no thing is attached (IsAttached false, ThingName unresolved)', () => {
    expect(evaluatePolicies([device], 'iot:Connect', arn('client', 'dev-1'), notAttached)).toBe('implicit-deny');
  });
  it('refuses connecting with another client id', () => {
    expect(evaluatePolicies([device], 'iot:Connect', arn('client', 'dev-2'), attached)).toBe('implicit-deny');
  });
  it('allows publishing its own telemetry only', () => {
    expect(evaluatePolicies([device], 'iot:Publish', arn('topic', 'fleet/devices/dev-1/telemetry'), attached)).toBe('allow');
    expect(evaluatePolicies([device], 'iot:Publish', arn('topic', 'fleet/devices/dev-2/telemetry'), attached)).toBe('implicit-deny');
  });
  it('grants no topic of its own outside its shadows and jobs: commands travel as jobs', () => {
    for (const action of ['iot:Subscribe', 'iot:Receive']) {
      expect(evaluatePolicies([device], action, arn('topicfilter', 'fleet/devices/dev-1/commands'), attached)).toBe('implicit-deny');
      expect(evaluatePolicies([device], action, arn('topic', 'fleet/devices/dev-1/commands'), attached)).toBe('implicit-deny');
    }
  });
  it("allows its own shadows' and jobs' reserved topics only, classic and named shadows alike", () => {
    for (const topic of [
      '$aws/things/dev-1/shadow/update',
      '$aws/things/dev-1/shadow/name/config/get',
      '$aws/things/dev-1/jobs/start-next',
      '$aws/things/dev-1/jobs/job-7/update',
    ]) {
      expect(evaluatePolicies([device], 'iot:Publish', arn('topic', topic), attached), topic).toBe('allow');
      expect(evaluatePolicies([device], 'iot:Publish', arn('topic', topic.replace('dev-1', 'dev-2')), attached), topic).toBe(
        'implicit-deny',
      );
    }
    for (const filter of ['$aws/things/dev-1/shadow/update/delta', '$aws/things/dev-1/jobs/notify-next', '$aws/things/dev-1/shadow/#']) {
      expect(evaluatePolicies([device], 'iot:Subscribe', arn('topicfilter', filter), attached), filter).toBe('allow');
      expect(evaluatePolicies([device], 'iot:Receive', arn('topic', filter), attached), filter).toBe('allow');
    }
    expect(evaluatePolicies([device], 'iot:Subscribe', arn('topicfilter', '$aws/things/+/shadow/update/delta'), attached)).toBe(
      'implicit-deny',
    );
    expect(evaluatePolicies([device], 'iot:Subscribe', arn('topicfilter', '$aws/things/dev-2/jobs/notify'), attached)).toBe(
      'implicit-deny',
    );
  });
  it('does not let the action of one statement authorise another action', () => {
    expect(evaluatePolicies([device], 'iot:Subscribe', arn('topicfilter', 'fleet/devices/dev-1/telemetry'), attached)).toBe(
      'implicit-deny',
    );
  });
});

describe('evaluatePolicies with the browser policy', () => {
  const ctx = connectionContext({ clientId: 'us-east-1:abc', cognitoIdentityId: 'us-east-1:abc' });
  it('allows connecting with the identity id as client id', () => {
    expect(evaluatePolicies([browser], 'iot:Connect', arn('client', 'us-east-1:abc'), ctx)).toBe('allow');
    expect(evaluatePolicies([browser], 'iot:Connect', arn('client', 'other'), ctx)).toBe('implicit-deny');
  });
  it('treats + in a policy resource literally but * as a wildcard', () => {
    expect(evaluatePolicies([browser], 'iot:Subscribe', arn('topicfilter', 'fleet/devices/+/telemetry'), ctx)).toBe('allow');
    expect(evaluatePolicies([browser], 'iot:Subscribe', arn('topicfilter', 'fleet/devices/dev-9/telemetry'), ctx)).toBe('allow');
    expect(evaluatePolicies([browser], 'iot:Subscribe', arn('topicfilter', 'fleet/devices/#'), ctx)).toBe('implicit-deny');
  });
  it('cannot publish', () => {
    expect(evaluatePolicies([browser], 'iot:Publish', arn('topic', 'fleet/devices/dev-1/telemetry'), ctx)).toBe('implicit-deny');
  });
});

describe('evaluatePolicies combining statements', () => {
  const allowAll: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] };
  const denyOne: PolicyDocument = {
    Statement: { Effect: 'Deny', Action: ['iot:Publish'], Resource: [arn('topic', 'secret/*')] },
  };
  it('lets an explicit Deny in any attached policy win over an Allow', () => {
    expect(evaluatePolicies([allowAll, denyOne], 'iot:Publish', arn('topic', 'secret/x'), attached)).toBe('explicit-deny');
    expect(evaluatePolicies([allowAll, denyOne], 'iot:Publish', arn('topic', 'public/x'), attached)).toBe('allow');
  });
  it('denies implicitly with no policy', () => {
    expect(evaluatePolicies([], 'iot:Connect', arn('client', 'x'), attached)).toBe('implicit-deny');
  });
  it('matches actions case-insensitively and ? as one character', () => {
    const doc: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'IOT:publish', Resource: arn('topic', 'a/?') }] };
    expect(evaluatePolicies([doc], 'iot:Publish', arn('topic', 'a/b'), attached)).toBe('allow');
    expect(evaluatePolicies([doc], 'iot:Publish', arn('topic', 'a/bc'), attached)).toBe('implicit-deny');
  });
  it('ignores a Deny whose variable cannot be resolved rather than denying everything', () => {
    const doc: PolicyDocument = {
      Statement: [
        { Effect: 'Allow', Action: 'iot:Publish', Resource: '*' },
        { Effect: 'Deny', Action: 'iot:Publish', Resource: arn('topic', '${cognito-identity.amazonaws.com:sub}/*') },
      ],
    };
    expect(evaluatePolicies([doc], 'iot:Publish', arn('topic', 'x/y'), attached)).toBe('allow');
  });
  it('evaluates StringEquals / StringLike / Null conditions and fails closed on unknown operators', () => {
    const withCondition = (Condition: Record<string, Record<string, string>>): PolicyDocument => ({
      Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*', Condition }],
    });
    const r = arn('client', 'dev-1');
    expect(evaluatePolicies([withCondition({ StringEquals: { 'iot:ClientId': 'dev-1' } })], 'iot:Connect', r, attached)).toBe('allow');
    expect(evaluatePolicies([withCondition({ StringEquals: { 'iot:ClientId': 'dev-2' } })], 'iot:Connect', r, attached)).toBe(
      'implicit-deny',
    );
    expect(evaluatePolicies([withCondition({ StringLike: { 'iot:ClientId': 'dev-*' } })], 'iot:Connect', r, attached)).toBe('allow');
    expect(evaluatePolicies([withCondition({ Null: { 'cognito-identity.amazonaws.com:sub': 'true' } })], 'iot:Connect', r, attached)).toBe(
      'allow',
    );
    expect(evaluatePolicies([withCondition({ Null: { 'iot:ClientId': 'true' } })], 'iot:Connect', r, attached)).toBe('implicit-deny');
    expect(evaluatePolicies([withCondition({ DateGreaterThan: { 'aws:CurrentTime': 'x' } })], 'iot:Connect', r, attached)).toBe(
      'implicit-deny',
    );
  });
});

describe('substituteVariables and wildcardMatch', () => {
  it('matches a substituted value literally, so a client id containing * grants nothing extra', () => {
    const ctx = connectionContext({ clientId: '*' });
    const pattern = substituteVariables(arn('client', '${iot:ClientId}'), ctx);
    expect(pattern).toBeDefined();
    expect(wildcardMatch(pattern as string, arn('client', '*'), false)).toBe(true);
    expect(wildcardMatch(pattern as string, arn('client', 'anything'), false)).toBe(false);
  });
  it('returns undefined for an unknown variable', () => {
    expect(substituteVariables('topic/${iot:Connection.Thing.ThingName}', notAttached)).toBeUndefined();
  });
  it('answers the same for a pattern compiled before, after its case flag changed, and after the cache turned over', () => {
    const pattern = arn('topic', 'fleet/devices/Dev-1/*');
    const value = arn('topic', 'fleet/devices/dev-1/telemetry');
    expect(wildcardMatch(pattern, value, false)).toBe(false);
    expect(wildcardMatch(pattern, value, true)).toBe(true);
    expect(wildcardMatch(pattern, value, false)).toBe(false);
    // More distinct patterns than the cache holds: the first ones are compiled again, not mixed up.
    for (let i = 0; i < 10_050; i++) expect(wildcardMatch(`device-${i}-?`, `device-${i}-x`, false)).toBe(true);
    expect(wildcardMatch(pattern, value, true)).toBe(true);
    expect(wildcardMatch('device-0-?', 'device-1-x', false)).toBe(false);
  });
});
