/**
 * Durable storage of the Device Shadow stand-in: one LevelDB (classic-level) record per
 * (thing, shadow), written with fsync before the service answers, group-committed so concurrent
 * updates of many shadows share one fsync (../../durable-files/level-group-commit.ts). A deleted
 * shadow stays as a tombstone that keeps its version (shadow-engine.ts).
 *
 * Key layout (`!` cannot appear in thing or shadow names, `[a-zA-Z0-9:_-]`):
 *   s!<thing>!            → StoredShadow of the classic shadow
 *   s!<thing>!<shadow>    → StoredShadow of a named shadow
 */
import { ClassicLevel } from 'classic-level';
import { createGroupCommitWriter } from '../../durable-files/level-group-commit.ts';
import type { StoredShadow } from './shadow-engine.ts';

export interface ShadowStore {
  get(thingName: string, shadowName: string | undefined): Promise<StoredShadow | undefined>;
  /** Durable (fsync'ed) once resolved. */
  put(thingName: string, shadowName: string | undefined, shadow: StoredShadow): Promise<void>;
  /** The named shadows of a thing, tombstones included, in name order. */
  named(thingName: string): Promise<{ name: string; shadow: StoredShadow }[]>;
  close(): Promise<void>;
}

const keyOf = (thingName: string, shadowName: string | undefined) => `s!${thingName}!${shadowName ?? ''}`;

export async function openShadowStore(location: string): Promise<ShadowStore> {
  const db = new ClassicLevel<string, string>(location, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  try {
    await db.open();
  } catch (err) {
    throw new Error(`Cannot open the shadow store at ${location}; is another local cloud using this data folder?`, { cause: err });
  }
  const writer = createGroupCommitWriter(db);
  return {
    async get(thingName, shadowName) {
      const value = await db.get(keyOf(thingName, shadowName));
      return value === undefined ? undefined : (JSON.parse(value) as StoredShadow);
    },
    put: (thingName, shadowName, shadow) =>
      writer.write([{ type: 'put', key: keyOf(thingName, shadowName), value: JSON.stringify(shadow) }], true),
    async named(thingName) {
      const prefix = keyOf(thingName, undefined);
      const found: { name: string; shadow: StoredShadow }[] = [];
      // `"` sorts right after `!`: the range is every key starting with the prefix; the classic shadow is the prefix itself.
      for await (const [key, value] of db.iterator({ gt: prefix, lt: `s!${thingName}"` })) {
        found.push({ name: key.slice(prefix.length), shadow: JSON.parse(value) as StoredShadow });
      }
      return found;
    },
    async close() {
      await writer.drain();
      await db.close();
    },
  };
}
