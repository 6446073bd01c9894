/**
 * A small keyed document kept as one JSON file (name → value), written atomically on every change,
 * for stand-in settings their wrapped library does not keep itself (dynalite's TTL, s3rver's
 * lifecycle rules).
 */
import { readJsonFile, writeFileAtomically } from './atomic-file.ts';

export interface JsonMapFile<V> {
  get(key: string): V | undefined;
  /** Sets or (with undefined) removes `key`, and resolves once the file holds it. */
  set(key: string, value: V | undefined): Promise<void>;
  entries(): [key: string, value: V][];
}

/** Loads `file` (`expected` names its content in a parse error) or starts empty. */
export async function loadJsonMapFile<V>(file: string, expected: string): Promise<JsonMapFile<V>> {
  let map = (await readJsonFile<Record<string, V>>(file, expected)) ?? {};
  let writing = Promise.resolve();
  return {
    get: (key) => map[key],
    async set(key, value) {
      map = { ...map };
      if (value === undefined) delete map[key];
      else map[key] = value;
      const snapshot = JSON.stringify(map, null, 2);
      // Serialise writes so an older snapshot never lands after a newer one.
      writing = writing.then(() => writeFileAtomically(file, snapshot));
      await writing;
    },
    entries: () => Object.entries(map),
  };
}
