/**
 * The state of the AWS IoT registry stand-in, shared by its operation modules (things.ts,
 * certificates.ts, policies.ts, attachments.ts) as aedes' handlers share the broker object: the
 * persisted records, the revision every change bumps, the policy caches the broker reads on every
 * publish, and the lookups and errors of the AWS IoT API reference
 * (https://docs.aws.amazon.com/iot/latest/apireference/) that several operations share.
 */
import { AwsError } from '../../aws-endpoint/index.ts';
import type { PolicyDocument } from '../policy/policy-evaluator.ts';
import type {
  CertificateRecord,
  CertificateStatus,
  PolicyRecord,
  RegistryChange,
  RegistryState,
  RegistryStore,
  ThingRecord,
} from './registry-store.ts';

export type CertificateListener = (certificateArn: string, status: CertificateStatus | 'DELETED') => void;

export interface IotRegistryOptions {
  readonly store: RegistryStore;
  readonly region: string;
  readonly accountId: string;
  readonly now?: () => number;
}

export interface RegistryContext {
  readonly store: RegistryStore;
  readonly state: RegistryState;
  readonly accountId: string;
  readonly now: () => number;
  readonly arn: (kind: string, name: string) => string;
  /** Told when a certificate changes status or is deleted (the broker drops its connections). */
  readonly certificateListeners: CertificateListener[];
  /** Bumped by every change, so the broker knows when cached authorisation decisions are stale. */
  revision: number;
  /** Parsed policy versions by `name#version#createDate`: a version never changes once created. */
  readonly parsedDocuments: Map<string, PolicyDocument>;
  /** Policies by principal for the current revision: the broker asks on every publish and delivery. */
  readonly documentsByPrincipal: Map<string, PolicyDocument[]>;
}

export const notFound = (message: string) => new AwsError('ResourceNotFoundException', message, 404);
export const invalid = (message: string) => new AwsError('InvalidRequestException', message, 400);

export function createRegistryContext(options: IotRegistryOptions): RegistryContext {
  const { store, region, accountId } = options;
  return {
    store,
    state: store.state,
    accountId,
    now: options.now ?? Date.now,
    arn: (kind, name) => `arn:aws:iot:${region}:${accountId}:${kind}/${name}`,
    certificateListeners: [],
    revision: 0,
    parsedDocuments: new Map(),
    documentsByPrincipal: new Map(),
  };
}

/** Persists the changes just made to the state and invalidates what was derived from the previous revision. */
export function saveChange(context: RegistryContext, changes: readonly RegistryChange[]): void {
  context.revision += 1;
  context.documentsByPrincipal.clear();
  context.store.save(changes);
}

export function requireThing(context: RegistryContext, thingName: string): ThingRecord {
  const found = context.state.things[thingName];
  if (!found) throw notFound(`Thing ${thingName} cannot be found.`);
  return found;
}

export function requireCertificate(context: RegistryContext, certificateId: string): CertificateRecord {
  const found = context.state.certificates[certificateId];
  if (!found) throw notFound(`The certificate ${certificateId} does not exist.`);
  return found;
}

export function requirePolicy(context: RegistryContext, policyName: string): PolicyRecord {
  const found = context.state.policies[policyName];
  if (!found) throw notFound(`Policy not found: ${policyName}`);
  return found;
}

/** The certificate id of a certificate ARN of this account; undefined for any other principal. */
export function certificateIdOfArn(context: RegistryContext, principal: string): string | undefined {
  const prefix = context.arn('cert', '');
  return principal.startsWith(prefix) ? principal.slice(prefix.length) : undefined;
}

/** A principal is a certificate ARN of this account (of an existing certificate) or a Cognito identity id (`region:uuid`). */
export function checkPrincipal(context: RegistryContext, principal: string): void {
  const certificateId = certificateIdOfArn(context, principal);
  if (certificateId !== undefined) {
    requireCertificate(context, certificateId);
    return;
  }
  if (/^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f-]{36}$/.test(principal)) return;
  throw invalid(`Principal "${principal}" is neither a certificate ARN of this account nor a Cognito identity id`);
}
