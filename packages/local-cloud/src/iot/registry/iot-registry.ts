/**
 * The AWS IoT registry: things, certificates, policies and their attachments, with the
 * validation and error codes of the AWS IoT API reference
 * (https://docs.aws.amazon.com/iot/latest/apireference/). Operations throw `AwsError` for the
 * outcomes AWS reports as errors; the control plane turns them into HTTP answers.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../aws-endpoint/index.ts';
import type { IssuedDeviceCertificate } from '../ca/local-ca.ts';
import type { PolicyDocument } from '../policy/policy-evaluator.ts';
import type { CertificateRecord, CertificateStatus, PolicyRecord, RegistryStore, ThingRecord } from './registry-store.ts';

export type CertificateListener = (certificateArn: string, status: CertificateStatus | 'DELETED') => void;

const thingNamePattern = /^[a-zA-Z0-9:_-]{1,128}$/;
const policyNamePattern = /^[\w+=,.@-]{1,128}$/;
const certificateStatuses: readonly CertificateStatus[] = [
  'ACTIVE',
  'INACTIVE',
  'REVOKED',
  'PENDING_TRANSFER',
  'REGISTER_INACTIVE',
  'PENDING_ACTIVATION',
];
/** AWS keeps at most five versions of a policy. */
const maxPolicyVersions = 5;

export const notFound = (message: string) => new AwsError('ResourceNotFoundException', message, 404);
export const invalid = (message: string) => new AwsError('InvalidRequestException', message, 400);

export interface IotRegistryOptions {
  readonly store: RegistryStore;
  readonly region: string;
  readonly accountId: string;
  readonly now?: () => number;
}

export type IotRegistry = ReturnType<typeof createIotRegistry>;

export function createIotRegistry(options: IotRegistryOptions) {
  const { store, region, accountId } = options;
  const state = store.state;
  const now = options.now ?? Date.now;
  const listeners: CertificateListener[] = [];
  const arn = (kind: string, name: string) => `arn:aws:iot:${region}:${accountId}:${kind}/${name}`;
  /** Bumped by every change, so the broker knows when cached authorisation decisions are stale. */
  let revision = 0;
  const parsedDocuments = new Map<string, PolicyDocument>();
  /** Policies by principal for the current revision: the broker asks on every publish and delivery. */
  const documentsByPrincipal = new Map<string, PolicyDocument[]>();
  function save(): void {
    revision += 1;
    documentsByPrincipal.clear();
    store.save();
  }

  function thing(thingName: string): ThingRecord {
    const found = state.things[thingName];
    if (!found) throw notFound(`Thing ${thingName} cannot be found.`);
    return found;
  }
  function certificate(certificateId: string): CertificateRecord {
    const found = state.certificates[certificateId];
    if (!found) throw notFound(`The certificate ${certificateId} does not exist.`);
    return found;
  }
  function policy(policyName: string): PolicyRecord {
    const found = state.policies[policyName];
    if (!found) throw notFound(`Policy not found: ${policyName}`);
    return found;
  }
  function checkThingName(thingName: string): void {
    if (!thingNamePattern.test(thingName)) {
      throw invalid(`Thing name "${thingName}" must match [a-zA-Z0-9:_-]{1,128}`);
    }
  }
  /** A principal is a certificate ARN of this account or a Cognito identity id (`region:uuid`). */
  function checkPrincipal(principal: string): void {
    const certificateId = certificateIdOfArn(principal);
    if (certificateId !== undefined) {
      certificate(certificateId);
      return;
    }
    if (/^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f-]{36}$/.test(principal)) return;
    throw invalid(`Principal "${principal}" is neither a certificate ARN of this account nor a Cognito identity id`);
  }
  function certificateIdOfArn(principal: string): string | undefined {
    const prefix = arn('cert', '');
    return principal.startsWith(prefix) ? principal.slice(prefix.length) : undefined;
  }
  function validatePolicyDocument(document: unknown): string {
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
  function emit(certificateArn: string, status: CertificateStatus | 'DELETED'): void {
    for (const listener of listeners) listener(certificateArn, status);
  }
  function attached(map: Record<string, string[]>, key: string): string[] {
    return (map[key] ??= []);
  }

  return {
    accountId,
    get revision() {
      return revision;
    },
    arn,
    certificateIdOfArn,

    /** Called when a certificate changes status or is deleted (the broker drops its connections). */
    onCertificateChange(listener: CertificateListener): void {
      listeners.push(listener);
    },

    // ---- things ----
    createThing(input: { thingName: string; thingTypeName?: string; attributes?: Record<string, string> }) {
      checkThingName(input.thingName);
      const attributes = input.attributes ?? {};
      const existing = state.things[input.thingName];
      if (existing) {
        // AWS: the same name and configuration succeeds again; a different configuration is a conflict.
        if (JSON.stringify(existing.attributes) === JSON.stringify(attributes) && existing.thingTypeName === input.thingTypeName) {
          return existing;
        }
        throw new AwsError(
          'ResourceAlreadyExistsException',
          `Thing ${input.thingName} already exists in account with different attributes`,
          409,
          {},
        );
      }
      const record: ThingRecord = {
        thingName: input.thingName,
        thingId: randomUUID(),
        thingArn: arn('thing', input.thingName),
        ...(input.thingTypeName ? { thingTypeName: input.thingTypeName } : {}),
        attributes: { ...attributes },
        version: 1,
      };
      state.things[input.thingName] = record;
      save();
      return record;
    },
    describeThing: (thingName: string) => thing(thingName),
    listThings(filter: { attributeName?: string; attributeValue?: string; thingTypeName?: string }): ThingRecord[] {
      return Object.values(state.things)
        .filter((t) => !filter.thingTypeName || t.thingTypeName === filter.thingTypeName)
        .filter(
          (t) =>
            !filter.attributeName ||
            (filter.attributeName in t.attributes &&
              (filter.attributeValue === undefined || t.attributes[filter.attributeName] === filter.attributeValue)),
        )
        .sort((a, b) => a.thingName.localeCompare(b.thingName));
    },
    updateThing(input: { thingName: string; attributes?: Record<string, string>; merge?: boolean; expectedVersion?: number }) {
      const record = thing(input.thingName);
      if (input.expectedVersion !== undefined && input.expectedVersion !== record.version) {
        throw new AwsError(
          'VersionConflictException',
          `The version for thing ${input.thingName} does not match the expected version.`,
          409,
        );
      }
      if (input.attributes) {
        // AWS: with merge, an empty value removes the attribute; without, the attributes are replaced.
        const next: Record<string, string> = input.merge ? { ...record.attributes } : {};
        for (const [key, value] of Object.entries(input.attributes)) {
          if (value === '') delete next[key];
          else next[key] = value;
        }
        record.attributes = next;
      }
      record.version += 1;
      save();
    },
    deleteThing(thingName: string, expectedVersion?: number) {
      const record = state.things[thingName];
      // AWS: deleting a thing that does not exist succeeds.
      if (!record) return;
      if (expectedVersion !== undefined && expectedVersion !== record.version) {
        throw new AwsError('VersionConflictException', `The version for thing ${thingName} does not match the expected version.`, 409);
      }
      if ((state.thingPrincipals[thingName] ?? []).length > 0) {
        throw invalid(`Cannot delete thing ${thingName}: it has attached principals; detach them first (DetachThingPrincipal)`);
      }
      delete state.things[thingName];
      delete state.thingPrincipals[thingName];
      save();
    },

    // ---- certificates ----
    addCertificate(issued: IssuedDeviceCertificate, setAsActive: boolean): CertificateRecord {
      const at = now();
      const record: CertificateRecord = {
        certificateId: issued.certificateId,
        certificateArn: arn('cert', issued.certificateId),
        certificatePem: issued.certificatePem,
        status: setAsActive ? 'ACTIVE' : 'INACTIVE',
        creationDate: at,
        lastModifiedDate: at,
        notBefore: issued.notBefore.getTime(),
        notAfter: issued.notAfter.getTime(),
      };
      state.certificates[record.certificateId] = record;
      save();
      return record;
    },
    describeCertificate: (certificateId: string) => certificate(certificateId),
    findCertificate: (certificateId: string): CertificateRecord | undefined => state.certificates[certificateId],
    updateCertificate(certificateId: string, newStatus: string) {
      const record = certificate(certificateId);
      if (!certificateStatuses.includes(newStatus as CertificateStatus)) {
        throw invalid(`newStatus "${newStatus}" must be one of ${certificateStatuses.join(', ')}`);
      }
      if (record.status === 'REVOKED' && newStatus !== 'REVOKED') {
        throw new AwsError('CertificateStateException', `Certificate ${certificateId} is REVOKED and cannot change status.`, 406);
      }
      record.status = newStatus as CertificateStatus;
      record.lastModifiedDate = now();
      save();
      emit(record.certificateArn, record.status);
    },
    deleteCertificate(certificateId: string) {
      const record = certificate(certificateId);
      if (record.status === 'ACTIVE') {
        throw new AwsError('CertificateStateException', `Certificate ${certificateId} is ACTIVE; set it INACTIVE first.`, 406);
      }
      const principal = record.certificateArn;
      const policies = Object.entries(state.policyTargets).filter(([, targets]) => targets.includes(principal));
      const things = Object.entries(state.thingPrincipals).filter(([, principals]) => principals.includes(principal));
      if (policies.length > 0 || things.length > 0) {
        throw new AwsError(
          'DeleteConflictException',
          `Certificate ${certificateId} has attached policies or things; detach them first.`,
          409,
        );
      }
      delete state.certificates[certificateId];
      save();
      emit(principal, 'DELETED');
    },

    // ---- policies ----
    createPolicy(policyName: string, policyDocument: unknown): PolicyRecord {
      if (!policyNamePattern.test(policyName)) throw invalid(`Policy name "${policyName}" must match [\\w+=,.@-]{1,128}`);
      if (state.policies[policyName]) throw new AwsError('ResourceAlreadyExistsException', `Policy ${policyName} already exists.`, 409);
      const at = now();
      const record: PolicyRecord = {
        policyName,
        policyArn: arn('policy', policyName),
        creationDate: at,
        lastModifiedDate: at,
        defaultVersionId: '1',
        nextVersionId: 2,
        versions: [{ versionId: '1', document: validatePolicyDocument(policyDocument), createDate: at }],
      };
      state.policies[policyName] = record;
      save();
      return record;
    },
    getPolicy: (policyName: string) => {
      const record = policy(policyName);
      const version = record.versions.find((v) => v.versionId === record.defaultVersionId);
      return { record, document: version?.document ?? '' };
    },
    listPolicies: (): PolicyRecord[] => Object.values(state.policies).sort((a, b) => a.policyName.localeCompare(b.policyName)),
    createPolicyVersion(policyName: string, policyDocument: unknown, setAsDefault: boolean) {
      const record = policy(policyName);
      const document = validatePolicyDocument(policyDocument);
      if (record.versions.length >= maxPolicyVersions) {
        throw new AwsError(
          'VersionsLimitExceededException',
          `Policy ${policyName} already has ${maxPolicyVersions} versions; delete one first.`,
          409,
        );
      }
      const at = now();
      const versionId = String(record.nextVersionId++);
      record.versions.push({ versionId, document, createDate: at });
      if (setAsDefault) record.defaultVersionId = versionId;
      record.lastModifiedDate = at;
      save();
      return { record, versionId, document, isDefaultVersion: setAsDefault };
    },
    deletePolicy(policyName: string) {
      policy(policyName);
      if ((state.policyTargets[policyName] ?? []).length > 0) {
        throw new AwsError('DeleteConflictException', `Policy ${policyName} is attached to one or more targets; detach it first.`, 409);
      }
      delete state.policies[policyName];
      delete state.policyTargets[policyName];
      save();
    },
    attachPolicy(policyName: string, target: string) {
      policy(policyName);
      checkPrincipal(target);
      const targets = attached(state.policyTargets, policyName);
      if (!targets.includes(target)) targets.push(target);
      save();
    },
    detachPolicy(policyName: string, target: string) {
      policy(policyName);
      const targets = attached(state.policyTargets, policyName);
      state.policyTargets[policyName] = targets.filter((t) => t !== target);
      save();
    },
    listAttachedPolicies(target: string): PolicyRecord[] {
      return Object.entries(state.policyTargets)
        .filter(([, targets]) => targets.includes(target))
        .map(([name]) => state.policies[name])
        .filter((p): p is PolicyRecord => p !== undefined)
        .sort((a, b) => a.policyName.localeCompare(b.policyName));
    },
    /** The default versions of every policy attached to a principal, parsed, for the broker. */
    policyDocumentsOf(principal: string): PolicyDocument[] {
      const cached = documentsByPrincipal.get(principal);
      if (cached) return cached;
      const documents: PolicyDocument[] = [];
      for (const [name, targets] of Object.entries(state.policyTargets)) {
        if (!targets.includes(principal)) continue;
        const record = state.policies[name];
        const version = record?.versions.find((v) => v.versionId === record.defaultVersionId);
        if (!version) continue;
        const key = `${name}#${version.versionId}#${version.createDate}`;
        let parsed = parsedDocuments.get(key);
        if (!parsed) {
          parsed = JSON.parse(version.document) as PolicyDocument;
          parsedDocuments.set(key, parsed);
        }
        documents.push(parsed);
      }
      documentsByPrincipal.set(principal, documents);
      return documents;
    },

    // ---- thing principals ----
    attachThingPrincipal(thingName: string, principal: string) {
      thing(thingName);
      checkPrincipal(principal);
      const principals = attached(state.thingPrincipals, thingName);
      if (!principals.includes(principal)) principals.push(principal);
      save();
    },
    detachThingPrincipal(thingName: string, principal: string) {
      thing(thingName);
      state.thingPrincipals[thingName] = (state.thingPrincipals[thingName] ?? []).filter((p) => p !== principal);
      save();
    },
    listThingPrincipals(thingName: string): string[] {
      thing(thingName);
      return [...(state.thingPrincipals[thingName] ?? [])];
    },
    listPrincipalThings(principal: string): string[] {
      return Object.entries(state.thingPrincipals)
        .filter(([, principals]) => principals.includes(principal))
        .map(([name]) => name)
        .sort();
    },
    isThingAttachedTo(thingName: string, principal: string): boolean {
      return state.things[thingName] !== undefined && (state.thingPrincipals[thingName] ?? []).includes(principal);
    },
  };
}
