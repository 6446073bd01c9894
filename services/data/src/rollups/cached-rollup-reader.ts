/**
 * A RollupReader that serves the child buckets of closed parent buckets from a BucketCache — the
 * 1-minute buckets of closed hours, or the 1-hour buckets of closed days — each parent only after
 * checking it against that parent's own item, read on every query: the parent item's `n` is the sum
 * of its children's `n` (rollup-writer.ts), and a child's `n` only grows as readings are added
 * (README.md, "Stale views lose"), so a cached parent whose `n` equals the parent item's holds what
 * DynamoDB holds for it. Any other parent — its `n` differs (a late reading), it has no item, its
 * children may have expired, it is not cached — is read from DynamoDB, and cached when its children
 * add up to its item. The open parent (and any later one) is always read directly.
 *
 * Each Data Service task keeps its own caches; none is told of another's writes, and none needs to
 * be. Other levels are passed to `reader`, so two of these chain: hours of days over minutes of hours.
 */
import { rollupLevel, type RollupLevelId } from '@fleet/core';
import type { BucketCache } from './bucket-cache.ts';
import { bucketStart } from './rollup-keys.ts';
import type { RollupReader, StoredBucket } from './rollup-reader.ts';

export function createCachedRollupReader(deps: {
  readonly reader: RollupReader;
  readonly cache: BucketCache;
  /** The level served from the cache and the level its entries are checked against. @default 1m of 1h */
  readonly levels?: { readonly child: '1m'; readonly parent: '1h' } | { readonly child: '1h'; readonly parent: '1d' };
  /** @default Date.now */
  readonly now?: () => number;
}): RollupReader {
  const { reader, cache } = deps;
  const now = deps.now ?? Date.now;
  const { child, parent }: { child: RollupLevelId; parent: RollupLevelId } = deps.levels ?? { child: '1m', parent: '1h' };
  const parentMs = rollupLevel(parent).widthMs;
  const parentOf = (ts: number) => bucketStart(rollupLevel(parent), ts);

  /** The child buckets of whole parents [first, last], grouped by parent start. */
  const readParents = async (deviceId: string, first: number, last: number): Promise<Map<number, StoredBucket[]>> => {
    const byParent = new Map<number, StoredBucket[]>();
    for (const b of await reader.buckets(deviceId, child, first, last + parentMs - 1)) {
      const p = parentOf(b.start);
      const list = byParent.get(p);
      if (list) list.push(b);
      else byParent.set(p, [b]);
    }
    return byParent;
  };

  return {
    async buckets(deviceId, levelId, from, to) {
      const at = now();
      // Parents that ended before now; their start lies in [parentOf(from), lastClosed].
      const lastClosed = Math.min(parentOf(to), parentOf(at) - parentMs);
      const first = parentOf(from);
      if (levelId !== child || lastClosed < first) return reader.buckets(deviceId, levelId, from, to);
      // The open part is read directly, alongside the check of the closed parents.
      const openFrom = Math.max(from, lastClosed + parentMs);
      const openPart = openFrom <= to ? reader.buckets(deviceId, child, openFrom, to) : Promise.resolve([]);
      const parentItems = reader.buckets(deviceId, parent, first, lastClosed);
      // Nothing cached for the range (a cold query): read its children while the parent items come.
      let anyCached = false;
      for (let p = first; p <= lastClosed && !anyCached; p += parentMs) anyCached = cache.get(deviceId, p) !== undefined;
      const speculative = anyCached ? undefined : readParents(deviceId, first, lastClosed);
      for (const pending of [openPart, parentItems, speculative]) pending?.catch(() => undefined);

      const parentN = new Map((await parentItems).map((b) => [b.start, b.aggregate.n]));
      const served = new Map<number, readonly StoredBucket[]>();
      const toRead: number[] = [];
      for (let p = first; p <= lastClosed; p += parentMs) {
        const cached = speculative ? undefined : cache.get(deviceId, p);
        if (cached && parentN.get(p) === cached.n && cached.expiresAtMs > at) served.set(p, cached.children);
        else toRead.push(p);
      }
      // Consecutive parents to read are one range: one Query per partition of the child level.
      const runs: [number, number][] = [];
      for (const p of toRead) {
        const last = runs.at(-1);
        if (last && last[1] + parentMs === p) last[1] = p;
        else runs.push([p, p]);
      }
      const reads = speculative ? [speculative] : runs.map(([a, b]) => readParents(deviceId, a, b));
      for (const byParent of await Promise.all(reads)) {
        for (const [p, children] of byParent) {
          served.set(p, children);
          const n = children.reduce((sum, c) => sum + c.aggregate.n, 0);
          const expiresAtMs = Math.min(...children.map((c) => c.expiresAtMs ?? Infinity));
          if (p <= lastClosed && parentN.get(p) === n) cache.set(deviceId, p, { n, children, expiresAtMs });
        }
      }
      const out: StoredBucket[] = [];
      for (let p = first; p <= lastClosed; p += parentMs) {
        for (const b of served.get(p) ?? []) if (b.start >= from && b.start <= to) out.push(b);
      }
      out.push(...(await openPart));
      return out;
    },
  };
}
