/**
 * Time to Live settings per table, kept in `<dataDir>/dynamodb-ttl.json` because dynalite has no
 * UpdateTimeToLive. Written atomically (temp file + rename) so a kill never leaves half a file.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

export interface TtlSettings {
  get(table: string): string | undefined;
  set(table: string, attributeName: string | undefined): Promise<void>;
  entries(): [table: string, attributeName: string][];
}

export async function loadTtlSettings(file: string): Promise<TtlSettings> {
  let settings: Record<string, string> = {};
  try {
    settings = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read DynamoDB TTL settings ${file}`, { cause: err });
  }
  let writing = Promise.resolve();
  return {
    get: (table) => settings[table],
    async set(table, attributeName) {
      settings = { ...settings };
      if (attributeName === undefined) delete settings[table];
      else settings[table] = attributeName;
      const snapshot = JSON.stringify(settings, null, 2);
      // Serialise writes so an older snapshot never lands after a newer one.
      writing = writing.then(async () => {
        await writeFile(`${file}.tmp`, snapshot);
        await rename(`${file}.tmp`, file);
      });
      await writing;
    },
    entries: () => Object.entries(settings),
  };
}
