/**
 * Keeps an IoT policy at the document the shared definitions give, as CloudFormation does on AWS
 * when a deployment changes an `AWS::IoT::Policy`: a data folder created by an older Fleet gets
 * the new document as its default version (devices already connected are evaluated against it at
 * once), and the oldest non-default version makes room when AWS's five versions are reached.
 */
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  ListPolicyVersionsCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';

/** AWS keeps at most five versions of a policy. */
const maxPolicyVersions = 5;

export type PolicyChange = 'created' | 'unchanged' | 'new-default-version';

export async function ensurePolicyDocument(iot: Pick<IoTClient, 'send'>, policyName: string, document: object): Promise<PolicyChange> {
  const wanted = JSON.stringify(document);
  const existing = await iot.send(new GetPolicyCommand({ policyName })).catch((err: Error) => {
    if (err.name === 'ResourceNotFoundException') return undefined;
    throw err;
  });
  if (!existing) {
    await iot.send(new CreatePolicyCommand({ policyName, policyDocument: wanted }));
    return 'created';
  }
  if (existing.policyDocument !== undefined && sameJson(existing.policyDocument, wanted)) return 'unchanged';
  const { policyVersions = [] } = await iot.send(new ListPolicyVersionsCommand({ policyName }));
  if (policyVersions.length >= maxPolicyVersions) {
    const oldest = policyVersions
      .filter((v) => !v.isDefaultVersion && v.versionId !== undefined)
      .sort((a, b) => Number(a.versionId) - Number(b.versionId))[0];
    if (oldest?.versionId) await iot.send(new DeletePolicyVersionCommand({ policyName, policyVersionId: oldest.versionId }));
  }
  await iot.send(new CreatePolicyVersionCommand({ policyName, policyDocument: wanted, setAsDefault: true }));
  return 'new-default-version';
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}
