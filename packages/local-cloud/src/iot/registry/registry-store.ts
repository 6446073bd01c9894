/**
 * The IoT registry's persisted state: a snapshot (one JSON file, written atomically) and a journal of
 * the changes made since (`registry-journal.ts`). Each change is one journal line, fdatasync'ed before
 * the operation answers (`durable()`, awaited by the control plane and the provisioning flows), so the cost of a change is the size of what changed, not of the fleet: the
 * whole file rewritten per change cost 22 s of CPU for 1,000 registrations (bench/README.md). A
 * crash leaves each change whole or absent; a restart reads the snapshot and replays the journal.
 * The journal is folded into a new snapshot once it outgrows the snapshot (and 1 MiB), so replay
 * stays short and the rewrites cost a constant factor per change, not a factor of the fleet's size.
 */
import { statSync } from 'node:fs';
import type { certificateStatuses } from '@fleet/core';
import { readJsonFileSync, writeFileAtomicallySync } from '../../durable-files/atomic-file.ts';
import { openRegistryJournal } from './registry-journal.ts';

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

/** The maps of records, journalled by their whole value. */
export type RecordMapName = 'things' | 'certificates' | 'policies' | 'thingGroups' | 'eventConfigurations';
/**
 * The maps of name lists, journalled member by member: a policy attached to 10,000 certificates or a
 * group of 10,000 things must not write its whole list per attachment.
 */
export type ListMapName = 'policyTargets' | 'thingPrincipals' | 'thingGroupMembers';

/** A change already made to `state`, as the store is to persist it. */
export type RegistryChange =
  /** `state[map][key]` as it is now (absent: deleted). */
  | { readonly put: RecordMapName | ListMapName; readonly key: string }
  | { readonly add: ListMapName; readonly key: string; readonly member: string }
  | { readonly remove: ListMapName; readonly key: string; readonly member: string };

export interface RegistryStore {
  readonly state: RegistryState;
  /**
   * Writes changes the caller has just made to `state` to the journal; the changes of one call survive
   * a crash together or not at all. Durable once `durable()` resolves.
   */
  save(changes: readonly RegistryChange[]): void;
  /** Resolves once every change saved so far is on disk: await it before answering the operation. */
  durable(): Promise<void>;
}

/** One journal line's entry: what a change turned into, so replay needs no state but its own. */
type JournalEntry =
  | { readonly m: keyof RegistryState; readonly k: string; readonly v: unknown }
  | { readonly m: keyof RegistryState; readonly k: string; readonly d: 1 }
  | { readonly m: ListMapName; readonly k: string; readonly add: string }
  | { readonly m: ListMapName; readonly k: string; readonly rm: string };

const minimumCompactionBytes = 1024 * 1024;

/** Opens the registry persisted at `file` (the snapshot) and `file`.journal, creating neither until the first change. */
export function openRegistryStore(file: string): RegistryStore {
  const state = prototypeFree(readJsonFileSync<Partial<RegistryState>>(file, 'the state the IoT stand-in writes') ?? {});
  const journal = openRegistryJournal(`${file}.journal`);
  for (const entries of journal.replay()) for (const entry of entries as JournalEntry[]) apply(state, entry);
  let snapshotBytes = fileSize(file);
  return {
    state,
    save(changes) {
      journal.append(changes.map((change) => entryOf(state, change)));
      if (journal.bytes() > Math.max(snapshotBytes, minimumCompactionBytes)) {
        // Snapshot first, then empty the journal: a crash in between replays changes the snapshot
        // already holds, and replaying them is harmless (each entry sets a value or a membership).
        const snapshot = JSON.stringify(state);
        writeFileAtomicallySync(file, snapshot);
        journal.truncate();
        snapshotBytes = Buffer.byteLength(snapshot);
      }
    },
    durable: () => journal.durable(),
  };
}

function entryOf(state: RegistryState, change: RegistryChange): JournalEntry {
  if ('add' in change) return { m: change.add, k: change.key, add: change.member };
  if ('remove' in change) return { m: change.remove, k: change.key, rm: change.member };
  const value: unknown = state[change.put][change.key];
  return value === undefined ? { m: change.put, k: change.key, d: 1 } : { m: change.put, k: change.key, v: value };
}

function apply(state: RegistryState, entry: JournalEntry): void {
  const map = state[entry.m] as Record<string, unknown>;
  if ('v' in entry) map[entry.k] = entry.v;
  else if ('d' in entry) delete map[entry.k];
  else {
    const lists = map as Record<string, string[]>;
    const members = (lists[entry.k] ??= []);
    if ('add' in entry) {
      if (!members.includes(entry.add)) members.push(entry.add);
    } else lists[entry.k] = members.filter((member) => member !== entry.rm);
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
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
