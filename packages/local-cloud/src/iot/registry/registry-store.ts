/**
 * The IoT registry's persisted state: one JSON file under the data folder, rewritten atomically
 * after every change, so a crash leaves either the old or the new state and a restart finds every
 * thing, certificate, policy and attachment again.
 */
import type { certificateStatuses } from '@fleet/core';
import { readJsonFileSync, writeFileAtomicallySync } from '../../durable-files/atomic-file.ts';

/** AWS IoT's certificate statuses, as core lists them. */
export type CertificateStatus = (typeof certificateStatuses)[number];

export interface ThingRecord {
  readonly thingName: string;
  readonly thingId: string;
  readonly thingArn: string;
  readonly thingTypeName?: string;
  attributes: Record<string, string>;
  version: number;
}

export interface CertificateRecord {
  readonly certificateId: string;
  readonly certificateArn: string;
  readonly certificatePem: string;
  status: CertificateStatus;
  readonly creationDate: number;
  lastModifiedDate: number;
  readonly notBefore: number;
  readonly notAfter: number;
}

export interface PolicyVersionRecord {
  readonly versionId: string;
  readonly document: string;
  readonly createDate: number;
}

export interface PolicyRecord {
  readonly policyName: string;
  readonly policyArn: string;
  readonly creationDate: number;
  lastModifiedDate: number;
  defaultVersionId: string;
  nextVersionId: number;
  versions: PolicyVersionRecord[];
}

export interface ThingGroupRecord {
  readonly thingGroupName: string;
  readonly thingGroupId: string;
  readonly thingGroupArn: string;
  readonly parentGroupName?: string;
  readonly description?: string;
  readonly attributes: Record<string, string>;
  readonly version: number;
  /** Epoch ms. */
  readonly creationDate: number;
}

export interface RegistryState {
  things: Record<string, ThingRecord>;
  certificates: Record<string, CertificateRecord>;
  policies: Record<string, PolicyRecord>;
  /** policyName → targets (certificate ARNs or Cognito identity ids). */
  policyTargets: Record<string, string[]>;
  /** thingName → principals (certificate ARNs or Cognito identity ids). */
  thingPrincipals: Record<string, string[]>;
  /** Static thing groups by name. */
  thingGroups: Record<string, ThingGroupRecord>;
  /** thingGroupName → names of the things directly in it. */
  thingGroupMembers: Record<string, string[]>;
  /** Event type (JOB, JOB_EXECUTION, ...) → enabled (UpdateEventConfigurations). */
  eventConfigurations: Record<string, boolean>;
}

export interface RegistryStore {
  readonly state: RegistryState;
  /** Persists the current state; call after each mutation. */
  save(): void;
}

export function openRegistryStore(file: string): RegistryStore {
  const state = prototypeFree(readJsonFileSync<Partial<RegistryState>>(file, 'the state the IoT stand-in writes') ?? {});
  return {
    state,
    save: () => writeFileAtomicallySync(file, JSON.stringify(state)),
  };
}

/**
 * Maps keyed by names that callers choose (thing names, policy names): without a prototype, a
 * thing named `constructor` or `__proto__` is just a name, not Object's own members (AWS port fuzz).
 */
function prototypeFree(state: Partial<RegistryState>): RegistryState {
  const map = <T>(value: Record<string, T> | undefined): Record<string, T> =>
    Object.assign(Object.create(null) as Record<string, T>, value ?? {});
  return {
    things: map(state.things),
    certificates: map(state.certificates),
    policies: map(state.policies),
    policyTargets: map(state.policyTargets),
    thingPrincipals: map(state.thingPrincipals),
    thingGroups: map(state.thingGroups),
    thingGroupMembers: map(state.thingGroupMembers),
    eventConfigurations: map(state.eventConfigurations),
  };
}
