/**
 * Expires objects by the buckets' lifecycle rules, as S3 does in the background: an object whose
 * key starts with an enabled rule's prefix is deleted once its expiry (creation + days, rounded up
 * to the next midnight UTC, lifecycle-config.ts) has passed. S3 queues the removal and may take a
 * while; the local cloud sweeps every hour and at start. The sweep talks to s3rver directly, as the
 * stand-in itself, so no IAM principal is needed.
 */
import { DeleteObjectsCommand, ListObjectsV2Command, NoSuchBucket, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import { expiresAtMs } from './lifecycle-config.ts';
import type { LifecycleStore } from './lifecycle-store.ts';

/** DeleteObjects takes at most 1,000 keys. */
const deleteBatch = 1000;

/** One pass over every bucket with a lifecycle configuration; resolves with the number of objects deleted. */
export async function sweepExpiredObjects(deps: {
  client: S3Client;
  store: LifecycleStore;
  log?: Logger;
  now?: () => number;
}): Promise<number> {
  const { client, store, log } = deps;
  const now = deps.now?.() ?? Date.now();
  let deleted = 0;
  for (const [bucket, rules] of store.entries()) {
    try {
      for (const rule of rules.filter((r) => r.enabled)) {
        let token: string | undefined;
        do {
          const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: rule.prefix, ContinuationToken: token }));
          const expired = (page.Contents ?? []).filter(
            (o) => o.Key !== undefined && o.LastModified !== undefined && expiresAtMs(o.LastModified.getTime(), rule.expirationDays) <= now,
          );
          for (let i = 0; i < expired.length; i += deleteBatch) {
            const keys = expired.slice(i, i + deleteBatch).map((o) => ({ Key: o.Key! }));
            const out = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
            deleted += keys.length - (out.Errors?.length ?? 0);
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      }
    } catch (err) {
      // A deleted bucket takes its configuration with it, as on S3.
      if (err instanceof NoSuchBucket) {
        await store.set(bucket, undefined);
        continue;
      }
      log?.error({ err, bucket }, 'S3 lifecycle sweep failed');
    }
  }
  if (deleted > 0) log?.info({ deleted }, 'expired objects deleted (S3 lifecycle)');
  return deleted;
}
