/**
 * Users' own browser IoT policies through `@aws-sdk/client-iot` against the local cloud's IoT
 * control plane: created, a new default version per change, AWS's five versions kept, attached to
 * an identity with the shared policy detached.
 */
import { AttachPolicyCommand, GetPolicyCommand, ListAttachedPoliciesCommand, ListPolicyVersionsCommand } from '@aws-sdk/client-iot';
import { browserPolicyDocument, browserPolicyName, browserPolicyNameFor, type DeviceAccess } from '@fleet/core';
import { createFleetPolicies, startIotFixture, type IotFixture } from '@fleet/local-cloud/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserPolicies, type BrowserPolicies } from './browser-policies.ts';

let fixture: IotFixture;
let policies: BrowserPolicies;
const region = 'us-east-1';
const account = '000000000000';
const groups = (...g: string[]): DeviceAccess => ({ kind: 'groups', groups: g });

beforeAll(async () => {
  fixture = await startIotFixture();
  await createFleetPolicies(fixture.control);
  policies = createBrowserPolicies({ iot: fixture.control, region, account, sharedPolicyName: browserPolicyName });
});
afterAll(() => fixture.close());

describe('browser policies on the IoT stand-in', () => {
  it('creates the policy, then a new default version per change, never more than five versions', async () => {
    const name = browserPolicyNameFor('sub-contract-1');
    expect(await policies.update('sub-contract-1', groups('a'))).toBe('created');
    expect(await policies.update('sub-contract-1', groups('a'))).toBe('unchanged');
    for (const g of ['b', 'c', 'd', 'e', 'f', 'g']) expect(await policies.update('sub-contract-1', groups(g))).toBe('new-version');
    const { policyVersions = [] } = await fixture.control.send(new ListPolicyVersionsCommand({ policyName: name }));
    expect(policyVersions.map((v) => [v.versionId, v.isDefaultVersion])).toEqual([
      ['3', false],
      ['4', false],
      ['5', false],
      ['6', false],
      ['7', true],
    ]);
    const current = await fixture.control.send(new GetPolicyCommand({ policyName: name }));
    expect(JSON.parse(current.policyDocument ?? '')).toEqual(browserPolicyDocument(region, account, groups('g')));
  });

  it("attaches the user's policy to the identity and detaches the shared one", async () => {
    const identityId = 'us-east-1:00000000-0000-4000-8000-00000000c0de';
    await fixture.control.send(new AttachPolicyCommand({ policyName: browserPolicyName, target: identityId }));
    await policies.attach('sub-contract-2', { kind: 'all' }, identityId);
    const attached = await fixture.control.send(new ListAttachedPoliciesCommand({ target: identityId }));
    expect(attached.policies?.map((p) => p.policyName)).toEqual([browserPolicyNameFor('sub-contract-2')]);
  });
});
