/**
 * A window's readings in a chain of items of about 1 KB each, so that a device publishing fast
 * does not rewrite a growing window item at every flush (issue 9: a device at 24 readings/s made
 * its minute item ≈ 45 KB, and each flush paid for the whole of it: 2.04 write units per reading).
 *
 * Item 0 is the window item itself (`sk` = the window's start); item k > 0 is `<start>#c<k>`.
 * Readings go to the first item that is not **sealed**. The write that brings an item near
 * `itemTargetBytes` also sets its `sealed` attribute, and every write to an item is conditional on
 * `attribute_not_exists(sealed)`. So:
 *
 * - a sealed item never changes again: what a writer learned of it (from its own sealing write or
 *   from a read) stays true while the item is there, and the chain's sealed items are a prefix (item
 *   k+1 is written only once item k is sealed). An item too full to take the seal takes no reading
 *   either: item k+1 then marks it sealed. Items deleted under a writer (a table rebuilt from the
 *   archive) are noticed, and the window read again: a reading is dropped as a redelivery only once
 *   a read confirms it, and a write that finds its item emptied, or starts an item whose predecessor
 *   is not there, reads the window (telemetry-store.ts `rememberedChainHolds`);
 * - a reading is in exactly one item: a writer checks the sealed items it knows, then writes to the
 *   next one, where `ReturnValues: ALL_OLD` shows it if it was already there (a redelivery). A write
 *   refused by the condition means another writer sealed that item: the writer reads the window
 *   again (one strongly consistent Query) and goes on;
 * - the window's whole content after a write is the sealed items it knows plus the item it wrote,
 *   as that write left it: the minute rollup needs no read.
 *
 * Readers are unchanged: every item of a window sorts between its start and `<start>#\uffff`, and
 * attributes other than readings (`sealed`) are skipped. Overflow items (`<start>#r<offset>_<seq>`),
 * which an earlier version wrote past a window item's 400 KB limit, are never written to again and
 * count as sealed.
 */
import type { TimedValues } from './rollups/aggregate.ts';
import { approximateSize, readingsOfItemByAttribute, storedReadingsOf } from './window-items.ts';

/** Set on an item that takes no more readings. */
export const sealedAttribute = 'sealed';

/** Sort key of the `index`-th item of the window whose item 0 has sort key `windowSk`. */
export function chainSortKey(windowSk: string, index: number): string {
  return index === 0 ? windowSk : `${windowSk}#c${index}`;
}

const chainSuffix = /^#c(\d+)$/;

/** The chain index of one of the window's items, or undefined for an overflow item. */
export function chainIndexOf(windowSk: string, sk: string): number | undefined {
  if (sk === windowSk) return 0;
  const match = chainSuffix.exec(sk.slice(windowSk.length));
  return match ? Number(match[1]) : undefined;
}

/** What a writer knows of one window's chain. */
export interface ChainState {
  /** The readings of the sealed items (and of overflow items), by attribute. Those items never change (but may be deleted). */
  readonly sealed: Map<string, TimedValues>;
  /** The first item not known to be sealed: where the next readings go. */
  next: number;
  /** Approximate size of item `next` as last seen, or undefined when unknown. */
  size: number | undefined;
  /** Whether `sealed` came from a read of the whole window, and so holds its overflow items. */
  readonly overflowKnown: boolean;
}

export const emptyChain = (): ChainState => ({ sealed: new Map(), next: 0, size: undefined, overflowKnown: false });

/**
 * The chain as a strongly consistent read of all the window's items shows it: its sealed prefix
 * (and overflow items) as `state`, and the readings of the items after that prefix in `open`, as stored.
 */
export function chainOfItems(
  windowSk: string,
  start: number,
  items: readonly Record<string, unknown>[],
): { state: ChainState; open: Map<string, string> } {
  const byIndex = new Map<number, Record<string, unknown>>();
  const state: ChainState = { ...emptyChain(), overflowKnown: true };
  for (const item of items) {
    const index = chainIndexOf(windowSk, String(item['sk']));
    if (index === undefined) readingsOfItemByAttribute(start, item, state.sealed);
    else byIndex.set(index, item);
  }
  // An item followed by another is sealed even without the attribute: a full item that could not take it.
  const last = Math.max(-1, ...byIndex.keys());
  while (state.next < last || byIndex.get(state.next)?.[sealedAttribute] !== undefined) {
    const item = byIndex.get(state.next);
    if (item) readingsOfItemByAttribute(start, item, state.sealed);
    byIndex.delete(state.next);
    state.next++;
  }
  const next = byIndex.get(state.next);
  state.size = next ? approximateSize(next) : 0;
  const open = new Map<string, string>();
  for (const item of byIndex.values()) storedReadingsOf(item, open);
  return { state, open };
}

/**
 * The chains this writer knows, least recently kept first, bounded by the readings their sealed
 * items hold (a fast device's minute is thousands) and by their number (a slow device's chains hold
 * none): forgetting one only costs a read of its window at its next write.
 */
export class ChainCache {
  /** Each chain with the readings it was counted with when last kept (its map grows in place meanwhile). */
  readonly #chains = new Map<string, { state: ChainState; counted: number }>();
  #readings = 0;

  constructor(
    private readonly maxReadings: number,
    private readonly maxChains = 20_000,
  ) {}

  get(key: string): ChainState | undefined {
    return this.#chains.get(key)?.state;
  }

  /** Keeps `state` for `key`, as the most recent, and forgets the least recent past the bounds. */
  set(key: string, state: ChainState): void {
    const was = this.#chains.get(key);
    if (was) this.#readings -= was.counted;
    this.#chains.delete(key);
    this.#chains.set(key, { state, counted: state.sealed.size });
    this.#readings += state.sealed.size;
    for (const [oldest, old] of this.#chains) {
      if ((this.#readings <= this.maxReadings && this.#chains.size <= this.maxChains) || oldest === key) break;
      this.#chains.delete(oldest);
      this.#readings -= old.counted;
    }
  }
}
