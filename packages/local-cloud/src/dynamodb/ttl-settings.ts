/**
 * Time to Live settings per table, kept in a JSON file of the DynamoDB stand-in's folder because
 * dynalite has no UpdateTimeToLive. Written atomically so a kill never leaves half a file.
 */
import { readJsonFile, writeFileAtomically } from '../durable-files/atomic-file.ts';

export interface TtlSettings {
  get(table: string): string | undefined;
  set(table: string, attributeName: string | undefined): Promise<void>;
  entries(): [table: string, attributeName: string][];
}

export async function loadTtlSettings(file: string): Promise<TtlSettings> {
  let settings = (await readJsonFile<Record<string, string>>(file, 'the DynamoDB TTL settings, table name → attribute name')) ?? {};
  let writing = Promise.resolve();
  return {
    get: (table) => settings[table],
    async set(table, attributeName) {
      settings = { ...settings };
      if (attributeName === undefined) delete settings[table];
      else settings[table] = attributeName;
      const snapshot = JSON.stringify(settings, null, 2);
      // Serialise writes so an older snapshot never lands after a newer one.
      writing = writing.then(() => writeFileAtomically(file, snapshot));
      await writing;
    },
    entries: () => Object.entries(settings),
  };
}
