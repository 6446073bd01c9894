/**
 * What a window item holds, read back from its attributes: the readings (`r<offset>_<seq>`) and
 * roughly its size, for the rollups of its minute; and how a batch of readings groups into window
 * items (telemetry-store.ts, historical-writes.ts).
 */
import type { Reading } from '@fleet/core';
import { decodeValues } from './reading-codec.ts';
import type { TimedValues } from './rollups/aggregate.ts';
import { isReadingAttribute, locate, readingAt } from './time-bucket.ts';

/** The readings of one flush that go to one window item, each with its attribute. */
export interface WindowWrite {
  readonly pk: string;
  readonly sk: string;
  readonly deviceId: string;
  readonly readings: { readonly reading: Reading; readonly attribute: string }[];
}

/**
 * Groups readings by window item (keyed `pk NUL sk`); the same reading twice in one batch (e.g. a
 * QoS 1 re-publish) is one attribute, one write, and counts as a duplicate.
 */
export function groupByWindow(readings: readonly Reading[]): { windows: Map<string, WindowWrite>; duplicates: number } {
  const windows = new Map<string, WindowWrite>();
  const seen = new Set<string>();
  let duplicates = 0;
  for (const reading of readings) {
    const loc = locate(reading.deviceId, reading.ts, reading.seq);
    const key = `${loc.pk}\u0000${loc.sk}`;
    if (seen.has(`${key}\u0000${loc.attribute}`)) {
      duplicates++;
      continue;
    }
    seen.add(`${key}\u0000${loc.attribute}`);
    let w = windows.get(key);
    if (!w) windows.set(key, (w = { pk: loc.pk, sk: loc.sk, deviceId: reading.deviceId, readings: [] }));
    w.readings.push({ reading, attribute: loc.attribute });
  }
  return { windows, duplicates };
}

/** The readings stored in a window, chain or overflow item of the window starting at `start`. */
export function readingsOfItem(start: number, item: Record<string, unknown>): TimedValues[] {
  return [...readingsOfItemByAttribute(start, item, new Map()).values()];
}

/** The same, added to `into` by attribute name (`r<offset>_<seq>`); answers `into`. */
export function readingsOfItemByAttribute(
  start: number,
  item: Record<string, unknown>,
  into: Map<string, TimedValues>,
): Map<string, TimedValues> {
  for (const name in item) {
    const at = readingAt(start, name);
    if (at) into.set(name, { ...at, values: decodeValues(String(item[name])) });
  }
  return into;
}

/**
 * The readings of an item as stored (attribute → encoded values), added to `into`, undecoded: a
 * write's answer is read for its attribute names, and its values decoded only if a rollup needs them.
 */
export function storedReadingsOf(item: Record<string, unknown>, into: Map<string, string>): Map<string, string> {
  for (const name in item) if (isReadingAttribute(name)) into.set(name, String(item[name]));
  return into;
}

/** A reading of the window starting at `start` from its attribute and stored values. */
export function decodeStored(start: number, attribute: string, encoded: string): TimedValues {
  return { ...readingAt(start, attribute)!, values: decodeValues(encoded) };
}

/** Roughly the item's size as DynamoDB counts it (names plus string values). */
export function approximateSize(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += name.length + (typeof value === 'string' ? value.length : 8);
  return bytes;
}
