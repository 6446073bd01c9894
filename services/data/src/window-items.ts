/**
 * What a window item holds, read back from its attributes: the readings (`r<offset>_<seq>`) and
 * roughly its size, for the rollups of its minute (telemetry-store.ts, historical-writes.ts).
 */
import { decodeValues } from './reading-codec.ts';
import type { TimedValues } from './rollups/aggregate.ts';
import { readingAt } from './time-bucket.ts';

/** The readings stored in a window or overflow item of the window starting at `start`. */
export function readingsOfItem(start: number, item: Record<string, unknown>): TimedValues[] {
  const out: TimedValues[] = [];
  for (const name in item) {
    const at = readingAt(start, name);
    if (at) out.push({ ...at, values: decodeValues(String(item[name])) });
  }
  return out;
}

/** Roughly the item's size as DynamoDB counts it (names plus string values). */
export function approximateSize(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += name.length + (typeof value === 'string' ? value.length : 8);
  return bytes;
}
