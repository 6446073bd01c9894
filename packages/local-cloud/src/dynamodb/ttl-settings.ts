/**
 * Time to Live settings per table, kept in a JSON file of the DynamoDB stand-in's folder because
 * dynalite has no UpdateTimeToLive. Written atomically so a kill never leaves half a file.
 */
import { loadJsonMapFile, type JsonMapFile } from '../durable-files/json-map-file.ts';

/** Table name → the attribute enabled as its TTL. */
export type TtlSettings = JsonMapFile<string>;

export function loadTtlSettings(file: string): Promise<TtlSettings> {
  return loadJsonMapFile<string>(file, 'the DynamoDB TTL settings, table name → attribute name');
}
