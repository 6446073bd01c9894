/**
 * The Device Shadow service's state algebra, pure: how an update merges into `desired` / `reported`,
 * the metadata timestamps that follow each leaf, the delta between desired and reported, and the
 * size and depth measures of the limits ("Device Shadow service documents" of the AWS IoT guide).
 *
 * - A `null` value deletes its key; an object merges into an object key by key; any other value
 *   (arrays included: "an update to an array replaces the whole array") replaces.
 * - Metadata mirrors the state: each leaf (primitive or array) has `{ timestamp }` of its last update.
 * - An object left empty by deletions is removed, with its metadata (AWS documents no case of an
 *   empty object; removing it keeps the state and its metadata the same shape).
 */
import type { ShadowJson, ShadowJsonObject, ShadowMetadataNode } from '@fleet/core';

type MetadataObject = { [key: string]: ShadowMetadataNode };

export const isJsonObject = (value: unknown): value is ShadowJsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A metadata leaf `{ timestamp: <number> }` (a state key named "timestamp" has an object as its metadata). */
const isMetadataLeaf = (node: ShadowMetadataNode | undefined): boolean =>
  node !== undefined && typeof (node as { timestamp?: unknown }).timestamp === 'number';

/** Merges `patch` into `target`; both results are undefined when the object ends up empty. */
export function mergeSection(
  target: ShadowJsonObject | undefined,
  targetMetadata: ShadowMetadataNode | undefined,
  patch: ShadowJsonObject,
  timestamp: number,
): { value?: ShadowJsonObject; metadata?: MetadataObject } {
  const value: ShadowJsonObject = { ...target };
  const metadata: MetadataObject = isMetadataLeaf(targetMetadata) ? {} : { ...(targetMetadata as MetadataObject | undefined) };
  for (const [key, next] of Object.entries(patch)) {
    if (next === null) {
      delete value[key];
      delete metadata[key];
    } else if (isJsonObject(next)) {
      const previous = value[key];
      const merged = isJsonObject(previous)
        ? mergeSection(previous, metadata[key], next, timestamp)
        : mergeSection(undefined, undefined, next, timestamp);
      if (merged.value === undefined) {
        delete value[key];
        delete metadata[key];
      } else {
        value[key] = merged.value;
        metadata[key] = merged.metadata as MetadataObject;
      }
    } else {
      value[key] = next;
      metadata[key] = { timestamp };
    }
  }
  return Object.keys(value).length === 0 ? {} : { value, metadata };
}

/** The metadata of a request's section, as `/update/accepted` reports it: a timestamp per leaf (nulls included). */
export function metadataOfPatch(patch: ShadowJson, timestamp: number): ShadowMetadataNode {
  if (!isJsonObject(patch)) return { timestamp };
  const metadata: MetadataObject = {};
  for (const [key, value] of Object.entries(patch)) metadata[key] = metadataOfPatch(value, timestamp);
  return metadata;
}

/**
 * The desired keys whose value differs from reported ("Device Shadow MQTT topics", /update/delta):
 * a desired key absent from reported is included, a reported key absent from desired is not;
 * nested objects are compared key by key, arrays and other values as a whole.
 */
export function deltaOf(desired: ShadowJsonObject | undefined, reported: ShadowJsonObject | undefined): ShadowJsonObject | undefined {
  if (desired === undefined) return undefined;
  const delta: ShadowJsonObject = {};
  for (const [key, wanted] of Object.entries(desired)) {
    const actual = reported?.[key];
    if (isJsonObject(wanted) && isJsonObject(actual)) {
      const nested = deltaOf(wanted, actual);
      if (nested !== undefined) delta[key] = nested;
    } else if (!jsonEquals(wanted, actual)) {
      delta[key] = wanted;
    }
  }
  return Object.keys(delta).length === 0 ? undefined : delta;
}

/** The part of `metadata` that describes the keys of `delta` (the delta's metadata is the desired one). */
export function metadataFor(delta: ShadowJsonObject, metadata: ShadowMetadataNode | undefined): MetadataObject {
  const picked: MetadataObject = {};
  const source = isMetadataLeaf(metadata) ? undefined : (metadata as MetadataObject | undefined);
  for (const [key, value] of Object.entries(delta)) {
    const node = source?.[key];
    if (node === undefined) continue;
    picked[key] = isJsonObject(value) && !isMetadataLeaf(node) ? metadataFor(value, node) : node;
  }
  return picked;
}

export function jsonEquals(a: ShadowJson | undefined, b: ShadowJson | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEquals(item, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonEquals(a[key], b[key]));
  }
  return false;
}

/** Levels of nesting: 0 for a primitive, 1 for `{ "a": 1 }`, one more per nested object or array. */
export function depthOf(value: ShadowJson | undefined): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (isJsonObject(value)) return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

/** True when an array anywhere in `value` holds a null ("Arrays can't have null values"). */
export function hasNullInArray(value: ShadowJson | undefined): boolean {
  if (Array.isArray(value)) return value.some((item) => item === null || hasNullInArray(item));
  if (isJsonObject(value)) return Object.values(value).some(hasNullInArray);
  return false;
}
