import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeletePolicyVersionCommand, GetPolicyCommand, ListPolicyVersionsCommand } from '@aws-sdk/client-iot';
import { startFixture, type Fixture } from '../testing/iot-fixture.ts';
import { ensurePolicyDocument } from './iot-policy-versions.ts';

const documentOf = (topic: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: `arn:aws:iot:us-east-1:000000000000:topic/${topic}` }],
});

describe('ensurePolicyDocument (the launcher keeps the shared IoT policies current, through the SDK)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.close());

  const defaultDocument = async (policyName: string) =>
    JSON.parse((await fixture.control.send(new GetPolicyCommand({ policyName }))).policyDocument ?? 'null') as unknown;

  it('creates a missing policy, leaves an equal one alone, and makes a changed document the default version', async () => {
    expect(await ensurePolicyDocument(fixture.control, 'p1', documentOf('a'))).toBe('created');
    expect(await ensurePolicyDocument(fixture.control, 'p1', documentOf('a'))).toBe('unchanged');
    expect(await ensurePolicyDocument(fixture.control, 'p1', documentOf('b'))).toBe('new-default-version');
    expect(await defaultDocument('p1')).toEqual(documentOf('b'));
    const { policyVersions } = await fixture.control.send(new ListPolicyVersionsCommand({ policyName: 'p1' }));
    expect(policyVersions?.map((v) => [v.versionId, v.isDefaultVersion])).toEqual([
      ['1', false],
      ['2', true],
    ]);
  });

  it("deletes the oldest non-default version when AWS's five are reached", async () => {
    for (const topic of ['v1', 'v2', 'v3', 'v4', 'v5', 'v6']) await ensurePolicyDocument(fixture.control, 'p2', documentOf(topic));
    const { policyVersions } = await fixture.control.send(new ListPolicyVersionsCommand({ policyName: 'p2' }));
    expect(policyVersions?.map((v) => v.versionId)).toEqual(['2', '3', '4', '5', '6']);
    expect(await defaultDocument('p2')).toEqual(documentOf('v6'));
  });

  it('refuses to delete the default version, as AWS does', async () => {
    await expect(fixture.control.send(new DeletePolicyVersionCommand({ policyName: 'p2', policyVersionId: '6' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
    });
    await expect(fixture.control.send(new DeletePolicyVersionCommand({ policyName: 'p2', policyVersionId: '1' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
