/**
 * A RollupReader that serves the 1-minute buckets of closed hours from a MinuteCache, each hour only
 * after checking it against that hour's own 1-hour item, read on every query: the hour item's `n` is
 * the sum of its minutes' `n` (rollup-writer.ts), and a minute's `n` only grows as readings are added
 * (README.md, "Stale views lose"), so a cached hour whose `n` equals the hour item's holds what
 * DynamoDB holds for it. Any other hour — its `n` differs (a late reading), it has no hour item, its
 * minutes may have expired, it is not cached — is read from DynamoDB, and cached when its minutes add
 * up to its hour item. The open hour (and any later one) is always read directly.
 *
 * Each Data Service task keeps its own cache; none is told of another's writes, and none needs to be.
 * Other levels (hours, days) are read directly.
 */
import { rollupLevel } from '@fleet/core';
import type { MinuteCache } from './minute-cache.ts';
import { bucketStart } from './rollup-keys.ts';
import type { RollupReader, StoredBucket } from './rollup-reader.ts';

const hourMs = rollupLevel('1h').widthMs;
const hourOf = (ts: number) => bucketStart(rollupLevel('1h'), ts);

async function collect(buckets: AsyncGenerator<StoredBucket>): Promise<StoredBucket[]> {
  const out: StoredBucket[] = [];
  for await (const b of buckets) out.push(b);
  return out;
}

export function createCachedRollupReader(deps: {
  readonly reader: RollupReader;
  readonly cache: MinuteCache;
  /** @default Date.now */
  readonly now?: () => number;
}): RollupReader {
  const { reader, cache } = deps;
  const now = deps.now ?? Date.now;

  /** The minute buckets of whole hours [firstHour, lastHour], grouped by hour start. */
  const readHours = async (deviceId: string, firstHour: number, lastHour: number): Promise<Map<number, StoredBucket[]>> => {
    const byHour = new Map<number, StoredBucket[]>();
    for (const b of await collect(reader.buckets(deviceId, '1m', firstHour, lastHour + hourMs - 1))) {
      const h = hourOf(b.start);
      const list = byHour.get(h);
      if (list) list.push(b);
      else byHour.set(h, [b]);
    }
    return byHour;
  };

  return {
    async *buckets(deviceId, levelId, from, to) {
      const at = now();
      // Hours that ended before now; their start lies in [hourOf(from), lastClosed].
      const lastClosed = Math.min(hourOf(to), hourOf(at) - hourMs);
      const firstHour = hourOf(from);
      if (levelId !== '1m' || lastClosed < firstHour) {
        yield* reader.buckets(deviceId, levelId, from, to);
        return;
      }
      // The open part is read directly, alongside the check of the closed hours.
      const openFrom = Math.max(from, lastClosed + hourMs);
      const openPart = openFrom <= to ? collect(reader.buckets(deviceId, '1m', openFrom, to)) : Promise.resolve([]);
      const hourItems = collect(reader.buckets(deviceId, '1h', firstHour, lastClosed));
      // Nothing cached for the range (a cold query): read its minutes while the hour items come.
      let anyCached = false;
      for (let h = firstHour; h <= lastClosed && !anyCached; h += hourMs) anyCached = cache.get(deviceId, h) !== undefined;
      const speculative = anyCached ? undefined : readHours(deviceId, firstHour, lastClosed);
      for (const p of [openPart, hourItems, speculative]) p?.catch(() => undefined);

      const hourN = new Map((await hourItems).map((b) => [b.start, b.aggregate.n]));
      const served = new Map<number, readonly StoredBucket[]>();
      const toRead: number[] = [];
      for (let h = firstHour; h <= lastClosed; h += hourMs) {
        const cached = speculative ? undefined : cache.get(deviceId, h);
        if (cached && hourN.get(h) === cached.n && cached.expiresAtMs > at) served.set(h, cached.minutes);
        else toRead.push(h);
      }
      // Consecutive hours to read are one range: one Query per day partition.
      const runs: [number, number][] = [];
      for (const h of toRead) {
        const last = runs.at(-1);
        if (last && last[1] + hourMs === h) last[1] = h;
        else runs.push([h, h]);
      }
      const reads = speculative ? [speculative] : runs.map(([a, b]) => readHours(deviceId, a, b));
      for (const byHour of await Promise.all(reads)) {
        for (const [h, minutes] of byHour) {
          served.set(h, minutes);
          const n = minutes.reduce((sum, m) => sum + m.aggregate.n, 0);
          const expiresAtMs = Math.min(...minutes.map((m) => m.expiresAtMs ?? Infinity));
          if (h <= lastClosed && hourN.get(h) === n) cache.set(deviceId, h, { n, minutes, expiresAtMs });
        }
      }
      for (let h = firstHour; h <= lastClosed; h += hourMs) {
        for (const b of served.get(h) ?? []) if (b.start >= from && b.start <= to) yield b;
      }
      yield* await openPart;
    },
  };
}
