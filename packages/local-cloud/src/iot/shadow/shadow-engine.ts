/**
 * The Device Shadow operations as pure functions of the stored shadow: what an accepted GET,
 * UPDATE or DELETE answers and publishes, and what is stored next ("Interacting with shadows",
 * "Device Shadow service documents" of the AWS IoT guide). The service (shadow-service.ts) adds
 * the store, the per-shadow ordering and the MQTT publishes.
 *
 * - `version` starts at 1 and grows by one per accepted update; a request carrying another
 *   version than the current one is rejected 409 "Version conflict".
 * - DELETE keeps the version: "If you create a device shadow document that has the same name as
 *   one that was deleted within the past 48 hours, the version number of the new device shadow
 *   document will follow that of the deleted one", so a deleted shadow is stored as a tombstone.
 * - Timestamps are epoch seconds, as AWS IoT writes them in shadow documents.
 */
import {
  shadowErrorMessages as messages,
  shadowLimits,
  type ShadowDeleteAccepted,
  type ShadowDelta,
  type ShadowDocument,
  type ShadowDocuments,
  type ShadowMetadata,
  type ShadowSnapshot,
  type ShadowState,
  type ShadowUpdateAccepted,
  type ShadowUpdateRequest,
} from '@fleet/core';
import type { ShadowRejection } from './shadow-request.ts';
import { deltaOf, mergeSection, metadataFor, metadataOfPatch } from './shadow-state.ts';

/** What the store keeps per (thing, shadow). */
export interface StoredShadow {
  readonly state: ShadowState;
  readonly metadata: ShadowMetadata;
  readonly version: number;
  /** Epoch ms of the DELETE, for a deleted shadow (a tombstone keeping the version). */
  readonly deletedAt?: number;
}

/** How long a deleted shadow's version carries over to a new shadow of the same name. */
export const versionMemoryMs = 48 * 60 * 60 * 1000;

export interface UpdateOutcome {
  readonly stored: StoredShadow;
  readonly accepted: ShadowUpdateAccepted;
  /** Present when, after the update, desired differs from reported. */
  readonly delta?: ShadowDelta;
  readonly documents: ShadowDocuments;
}

export interface DeleteOutcome {
  readonly stored: StoredShadow;
  readonly accepted: ShadowDeleteAccepted;
}

const live = (stored: StoredShadow | undefined): stored is StoredShadow => stored !== undefined && stored.deletedAt === undefined;
const seconds = (ms: number) => Math.floor(ms / 1000);
const token = (clientToken: string | undefined) => (clientToken === undefined ? {} : { clientToken });

/** The version an update must name, and that the next version follows. */
function currentVersion(stored: StoredShadow | undefined, nowMs: number): number {
  if (stored === undefined) return 0;
  if (stored.deletedAt !== undefined && nowMs - stored.deletedAt > versionMemoryMs) return 0;
  return stored.version;
}

export function getShadow(
  stored: StoredShadow | undefined,
  name: string,
  clientToken: string | undefined,
  nowMs: number,
): ShadowDocument | ShadowRejection {
  if (!live(stored)) return { code: 404, message: messages.noShadow(name), ...token(clientToken) };
  const delta = deltaOf(stored.state.desired, stored.state.reported);
  return {
    state: { ...stored.state, ...(delta ? { delta } : {}) },
    metadata: stored.metadata,
    version: stored.version,
    timestamp: seconds(nowMs),
    ...token(clientToken),
  };
}

export function updateShadow(
  stored: StoredShadow | undefined,
  request: ShadowUpdateRequest,
  nowMs: number,
): UpdateOutcome | ShadowRejection {
  const { clientToken } = request;
  const base = currentVersion(stored, nowMs);
  if (request.version !== undefined && request.version !== base)
    return { code: 409, message: messages.versionConflict, ...token(clientToken) };
  const timestamp = seconds(nowMs);
  const previous = live(stored) ? stored : undefined;
  let state: ShadowState = previous?.state ?? {};
  let metadata: ShadowMetadata = previous?.metadata ?? {};
  if (request.state === null) {
    state = {};
    metadata = {};
  } else {
    for (const section of ['desired', 'reported'] as const) {
      const patch = request.state[section];
      if (patch === undefined) continue;
      const merged = patch === null ? {} : mergeSection(state[section], metadata[section], patch, timestamp);
      state = withSection(state, section, merged.value);
      metadata = withSection(metadata, section, merged.metadata);
    }
  }
  if (Buffer.byteLength(JSON.stringify(state)) > shadowLimits.maxStateBytes)
    return { code: 413, message: messages.tooLarge, ...token(clientToken) };
  const version = base + 1;
  const next: StoredShadow = { state, metadata, version };
  const acceptedMetadata: ShadowMetadata =
    request.state === null
      ? {}
      : Object.fromEntries(Object.entries(request.state).map(([section, patch]) => [section, metadataOfPatch(patch, timestamp)]));
  // "AWS IoT publishes ... to /update/delta when it accepts a change for the device's shadow, and the
  // request state document contains different values for desired and reported states": after any
  // accepted update, a reported-only one included (a device reporting a value other than the desired
  // one gets the delta again, as AWS re:Post answers describe).
  const delta = deltaOf(state.desired, state.reported);
  return {
    stored: next,
    accepted: { state: request.state, metadata: acceptedMetadata, version, timestamp, ...token(clientToken) },
    ...(delta
      ? { delta: { state: delta, metadata: metadataFor(delta, metadata.desired), version, timestamp, ...token(clientToken) } }
      : {}),
    documents: {
      ...(previous ? { previous: snapshot(previous) } : {}),
      current: snapshot(next),
      timestamp,
      ...token(clientToken),
    },
  };
}

export function deleteShadow(
  stored: StoredShadow | undefined,
  name: string,
  clientToken: string | undefined,
  nowMs: number,
): DeleteOutcome | ShadowRejection {
  if (!live(stored)) return { code: 404, message: messages.noShadow(name), ...token(clientToken) };
  return {
    stored: { state: {}, metadata: {}, version: stored.version, deletedAt: nowMs },
    accepted: { version: stored.version, timestamp: seconds(nowMs), ...token(clientToken) },
  };
}

/** True when the stored record is a shadow (not a tombstone): ListNamedShadowsForThing lists those. */
export const isLiveShadow = live;

function snapshot(stored: StoredShadow): ShadowSnapshot {
  return { state: stored.state, metadata: stored.metadata, version: stored.version };
}

/** `record` with `section` set, or removed when `value` is undefined ("the section is removed from the document"). */
function withSection<T extends object, V>(record: T, section: 'desired' | 'reported', value: V | undefined): T {
  const copy = { ...record } as Record<string, unknown>;
  if (value === undefined) delete copy[section];
  else copy[section] = value;
  return copy as T;
}
