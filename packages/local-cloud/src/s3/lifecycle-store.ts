/**
 * The buckets' lifecycle configurations, kept in a JSON file of the S3 stand-in's folder (s3rver
 * has none) and written atomically, so they survive a restart as they do on S3.
 */
import { readJsonFile, writeFileAtomically } from '../durable-files/atomic-file.ts';
import type { LifecycleRule } from './lifecycle-config.ts';

export interface LifecycleStore {
  get(bucket: string): readonly LifecycleRule[] | undefined;
  /** Replaces the bucket's whole configuration (as PutBucketLifecycleConfiguration does); undefined deletes it. */
  set(bucket: string, rules: readonly LifecycleRule[] | undefined): Promise<void>;
  entries(): [bucket: string, rules: readonly LifecycleRule[]][];
}

export async function loadLifecycleStore(file: string): Promise<LifecycleStore> {
  let configurations = (await readJsonFile<Record<string, LifecycleRule[]>>(file, 'the S3 lifecycle configurations, bucket → rules')) ?? {};
  let writing = Promise.resolve();
  return {
    get: (bucket) => configurations[bucket],
    async set(bucket, rules) {
      configurations = { ...configurations };
      if (rules === undefined) delete configurations[bucket];
      else configurations[bucket] = [...rules];
      const snapshot = JSON.stringify(configurations, null, 2);
      // Serialise writes so an older snapshot never lands after a newer one.
      writing = writing.then(() => writeFileAtomically(file, snapshot));
      await writing;
    },
    entries: () => Object.entries(configurations),
  };
}
