/** Users' own browser IoT policies over a fake IoT that keeps versions as AWS IoT does. */
import type { IoTClient } from '@aws-sdk/client-iot';
import { browserPolicyDocument, browserPolicyNameFor, type DeviceAccess } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { awsError, fakeAwsClient } from '../test-support/fake-aws-client.ts';
import { fakeIotPolicies } from '../test-support/fake-iot-policies.ts';
import { accountOfArn, createBrowserPolicies } from './browser-policies.ts';

const name = browserPolicyNameFor('sub-1');
const groups = (...g: string[]): DeviceAccess => ({ kind: 'groups', groups: g });

function setup() {
  const store = fakeIotPolicies();
  const iot = fakeAwsClient<IoTClient>({ ...store.handlers, AttachPolicy: () => ({}), DetachPolicy: () => ({}) });
  const policies = createBrowserPolicies({
    iot: iot.client,
    region: 'eu-west-1',
    account: '123456789012',
    sharedPolicyName: 'fleet-browser-live',
  });
  const defaultDocument = () => {
    const p = store.policies.get(name);
    return p && JSON.parse(p.versions.find((v) => v.versionId === p.defaultVersionId)?.document ?? '');
  };
  return { store, iot, policies, defaultDocument };
}

describe('browser policies', () => {
  it("creates the user's policy, writes a new default version only when the access changes", async () => {
    const { iot, policies, defaultDocument } = setup();
    expect(await policies.update('sub-1', groups('a'))).toBe('created');
    expect(defaultDocument()).toEqual(browserPolicyDocument('eu-west-1', '123456789012', groups('a')));
    expect(await policies.update('sub-1', groups('a'))).toBe('unchanged');
    expect(await policies.update('sub-1', groups('b'))).toBe('new-version');
    expect(defaultDocument()).toEqual(browserPolicyDocument('eu-west-1', '123456789012', groups('b')));
    expect(iot.names()).toEqual(['GetPolicy', 'CreatePolicy', 'GetPolicy', 'GetPolicy', 'ListPolicyVersions', 'CreatePolicyVersion']);
  });

  it("keeps within AWS's five versions by deleting the oldest that is not the default", async () => {
    const { store, policies, defaultDocument } = setup();
    for (const g of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await policies.update('sub-1', groups(g));
    const versions = store.policies.get(name)?.versions.map((v) => v.versionId);
    expect(versions).toEqual(['3', '4', '5', '6', '7']);
    expect(defaultDocument()).toEqual(browserPolicyDocument('eu-west-1', '123456789012', groups('g')));
  });

  it('attaches the own policy to the identity and detaches the shared one, whether or not it exists', async () => {
    const { iot, policies } = setup();
    expect(await policies.attach('sub-1', { kind: 'all' }, 'eu-west-1:id-1')).toBe('created');
    expect(iot.calls.slice(-2)).toEqual([
      { command: 'AttachPolicy', input: { policyName: name, target: 'eu-west-1:id-1' } },
      { command: 'DetachPolicy', input: { policyName: 'fleet-browser-live', target: 'eu-west-1:id-1' } },
    ]);
    iot.on({ DetachPolicy: () => Promise.reject(awsError('ResourceNotFoundException')) });
    expect(await policies.attach('sub-1', { kind: 'all' }, 'eu-west-1:id-1')).toBe('unchanged');
  });

  it('compares with what a concurrent call created instead of failing', async () => {
    const { iot, policies } = setup();
    await policies.update('sub-1', groups('a'));
    let first = true;
    iot.on({
      GetPolicy: () => {
        if (!first) return { policyDocument: JSON.stringify(browserPolicyDocument('eu-west-1', '123456789012', groups('a'))) };
        first = false;
        return Promise.reject(awsError('ResourceNotFoundException'));
      },
    });
    expect(await policies.update('sub-1', groups('a'))).toBe('unchanged');
  });

  it("reads the account of the deployment's ARNs, and refuses an ARN without one", () => {
    expect(accountOfArn('arn:aws:iam::123456789012:role/fleet-user-rules')).toBe('123456789012');
    expect(() => accountOfArn('arn:aws:iam:::role/x')).toThrow('no 12-digit account id in the ARN "arn:aws:iam:::role/x"');
  });
});
