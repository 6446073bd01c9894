/**
 * IoT policies and their versions: CreatePolicy, GetPolicy, ListPolicies, CreatePolicyVersion,
 * ListPolicyVersions, DeletePolicyVersion and DeletePolicy, with the document checks and limits of the AWS IoT API reference (at most five
 * versions; a policy attached to a target cannot be deleted).
 */
import { AwsError } from '../../aws-endpoint/index.ts';
import { invalid, requirePolicy, saveChange, type RegistryContext } from './registry-context.ts';
import type { PolicyRecord } from './registry-store.ts';

const policyNamePattern = /^[\w+=,.@-]{1,128}$/;
/** AWS keeps at most five versions of a policy. */
const maxPolicyVersions = 5;

export function createPolicy(context: RegistryContext, policyName: string, policyDocument: unknown): PolicyRecord {
  if (!policyNamePattern.test(policyName)) throw invalid(`Policy name "${policyName}" must match [\\w+=,.@-]{1,128}`);
  if (context.state.policies[policyName]) {
    throw new AwsError('ResourceAlreadyExistsException', `Policy ${policyName} already exists.`, 409);
  }
  const at = context.now();
  const record: PolicyRecord = {
    policyName,
    policyArn: context.arn('policy', policyName),
    creationDate: at,
    lastModifiedDate: at,
    defaultVersionId: '1',
    nextVersionId: 2,
    versions: [{ versionId: '1', document: validatePolicyDocument(policyDocument), createDate: at }],
  };
  context.state.policies[policyName] = record;
  saveChange(context, [{ put: 'policies', key: policyName }]);
  return record;
}

/** The policy and the document of its default version. */
export function getPolicy(context: RegistryContext, policyName: string): { record: PolicyRecord; document: string } {
  const record = requirePolicy(context, policyName);
  const version = record.versions.find((v) => v.versionId === record.defaultVersionId);
  return { record, document: version?.document ?? '' };
}

export function listPolicies(context: RegistryContext): PolicyRecord[] {
  return Object.values(context.state.policies).sort((a, b) => a.policyName.localeCompare(b.policyName));
}

export function createPolicyVersion(context: RegistryContext, policyName: string, policyDocument: unknown, setAsDefault: boolean) {
  const record = requirePolicy(context, policyName);
  const document = validatePolicyDocument(policyDocument);
  if (record.versions.length >= maxPolicyVersions) {
    throw new AwsError(
      'VersionsLimitExceededException',
      `Policy ${policyName} already has ${maxPolicyVersions} versions; delete one first.`,
      409,
    );
  }
  const at = context.now();
  const versionId = String(record.nextVersionId++);
  record.versions.push({ versionId, document, createDate: at });
  if (setAsDefault) record.defaultVersionId = versionId;
  record.lastModifiedDate = at;
  saveChange(context, [{ put: 'policies', key: policyName }]);
  return { record, versionId, document, isDefaultVersion: setAsDefault };
}

export function listPolicyVersions(context: RegistryContext, policyName: string) {
  const record = requirePolicy(context, policyName);
  return record.versions.map((v) => ({ ...v, isDefaultVersion: v.versionId === record.defaultVersionId }));
}

/** AWS refuses to delete the default version (DeleteConflictException): set another one first. */
export function deletePolicyVersion(context: RegistryContext, policyName: string, versionId: string): void {
  const record = requirePolicy(context, policyName);
  if (!record.versions.some((v) => v.versionId === versionId)) {
    throw new AwsError('ResourceNotFoundException', `Version ${versionId} of policy ${policyName} does not exist.`, 404);
  }
  if (record.defaultVersionId === versionId) {
    throw new AwsError('DeleteConflictException', `Cannot delete the default version ${versionId} of policy ${policyName}.`, 409);
  }
  record.versions = record.versions.filter((v) => v.versionId !== versionId);
  record.lastModifiedDate = context.now();
  saveChange(context, [{ put: 'policies', key: policyName }]);
}

export function deletePolicy(context: RegistryContext, policyName: string): void {
  const { state } = context;
  requirePolicy(context, policyName);
  if ((state.policyTargets[policyName] ?? []).length > 0) {
    throw new AwsError('DeleteConflictException', `Policy ${policyName} is attached to one or more targets; detach it first.`, 409);
  }
  delete state.policies[policyName];
  delete state.policyTargets[policyName];
  saveChange(context, [
    { put: 'policies', key: policyName },
    { put: 'policyTargets', key: policyName },
  ]);
}

/** A policy document must be JSON with Statement entries of Effect Allow or Deny (MalformedPolicyException). */
export function validatePolicyDocument(document: unknown): string {
  if (typeof document !== 'string' || document.length === 0) {
    throw new AwsError('MalformedPolicyException', 'policyDocument is required', 400);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw new AwsError('MalformedPolicyException', 'Policy document is not valid JSON', 400);
  }
  const statements = (parsed as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  if (
    list.length === 0 ||
    !list.every((s) => s && typeof s === 'object' && ['Allow', 'Deny'].includes((s as { Effect?: string }).Effect ?? ''))
  ) {
    throw new AwsError('MalformedPolicyException', 'Policy document must have Statement entries with Effect Allow or Deny', 400);
  }
  return document;
}
