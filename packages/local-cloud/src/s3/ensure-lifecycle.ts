/**
 * Gives a bucket its lifecycle rules when it has none, as `cdk deploy` does on AWS (storage.ts
 * deploys the same `bucketLifecycleRules`). A configuration already there is left alone: the Data
 * Service replaces it when the archive retention changes, and a restart must not undo that.
 */
import {
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  S3ServiceException,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { BucketLifecycleRule } from '@fleet/core';

/** The shared rules as S3's LifecycleRule shape (expiration of current objects by prefix). */
export function toS3LifecycleRules(rules: readonly BucketLifecycleRule[]): LifecycleRule[] {
  return rules.map((r) => ({ ID: r.id, Filter: { Prefix: r.prefix }, Status: 'Enabled', Expiration: { Days: r.expirationDays } }));
}

/** Resolves true when it put the rules, false when the bucket already had a configuration. */
export async function ensureBucketLifecycle(client: S3Client, bucket: string, rules: readonly BucketLifecycleRule[]): Promise<boolean> {
  try {
    await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    return false;
  } catch (err) {
    if (!(err instanceof S3ServiceException && err.name === 'NoSuchLifecycleConfiguration')) {
      throw new Error(`Reading the lifecycle configuration of bucket ${bucket} failed`, { cause: err });
    }
  }
  await client.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: { Rules: toS3LifecycleRules(rules) },
    }),
  );
  return true;
}
