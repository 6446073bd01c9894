/**
 * The buckets' lifecycle configurations, kept in a JSON file of the S3 stand-in's folder (s3rver
 * has none) and written atomically, so they survive a restart as they do on S3. `set` replaces a
 * bucket's whole configuration, as PutBucketLifecycleConfiguration does; undefined deletes it.
 */
import { loadJsonMapFile, type JsonMapFile } from '../durable-files/json-map-file.ts';
import type { LifecycleRule } from './lifecycle-config.ts';

/** Bucket name → its rules. */
export type LifecycleStore = JsonMapFile<readonly LifecycleRule[]>;

export function loadLifecycleStore(file: string): Promise<LifecycleStore> {
  return loadJsonMapFile<readonly LifecycleRule[]>(file, 'the S3 lifecycle configurations, bucket → rules');
}
