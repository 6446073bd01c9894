/**
 * IoT policies and their versions for the fake IoT client, as AWS IoT keeps them: GetPolicy answers
 * the default version, at most five versions (VersionsLimitExceededException), the default version
 * cannot be deleted (DeleteConflictException). Test support only.
 */
import { awsError, type Handler } from './fake-aws-client.ts';

export interface FakePolicyVersion {
  readonly versionId: string;
  readonly document: string;
  readonly createDate: Date;
}

export interface FakeIotPolicies {
  /** Each policy's versions, oldest first, and its default version id. */
  readonly policies: Map<string, { versions: FakePolicyVersion[]; defaultVersionId: string; next: number }>;
  readonly handlers: Record<string, Handler>;
}

export function fakeIotPolicies(): FakeIotPolicies {
  const policies: FakeIotPolicies['policies'] = new Map();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const policy = (i: Record<string, unknown>) => {
    const p = policies.get(String(i['policyName']));
    if (!p) throw awsError('ResourceNotFoundException');
    return p;
  };
  const version = (document: unknown, versionId: string) => ({ versionId, document: String(document), createDate: new Date(clock++) });
  return {
    policies,
    handlers: {
      GetPolicy: (i) => {
        const p = policy(i);
        return { policyName: i['policyName'], policyDocument: p.versions.find((v) => v.versionId === p.defaultVersionId)?.document };
      },
      CreatePolicy: (i) => {
        if (policies.has(String(i['policyName']))) throw awsError('ResourceAlreadyExistsException');
        policies.set(String(i['policyName']), { versions: [version(i['policyDocument'], '1')], defaultVersionId: '1', next: 2 });
        return {};
      },
      ListPolicyVersions: (i) => {
        const p = policy(i);
        return { policyVersions: p.versions.map((v) => ({ ...v, isDefaultVersion: v.versionId === p.defaultVersionId })) };
      },
      CreatePolicyVersion: (i) => {
        const p = policy(i);
        if (p.versions.length >= 5) throw awsError('VersionsLimitExceededException');
        const v = version(i['policyDocument'], String(p.next++));
        p.versions.push(v);
        if (i['setAsDefault'] === true) p.defaultVersionId = v.versionId;
        return { policyVersionId: v.versionId };
      },
      DeletePolicyVersion: (i) => {
        const p = policy(i);
        if (p.defaultVersionId === i['policyVersionId']) throw awsError('DeleteConflictException');
        p.versions = p.versions.filter((v) => v.versionId !== i['policyVersionId']);
        return {};
      },
    },
  };
}
