/**
 * Applies the archive retention to the bucket: PutBucketLifecycleConfiguration with the whole rule
 * set of `bucketLifecycleRules` (the call replaces every rule, so it always sends all of them:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html).
 * Run at start-up (a redeploy may have reset the rules to the CDK default) and whenever the archive
 * retention changes. An S3 stand-in without lifecycle support answers NotImplemented: logged, not fatal.
 */
import { PutBucketLifecycleConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucketLifecycleRules, telemetryBucket } from '@fleet/core';
import type { Logger } from 'pino';

export interface BucketLifecycleDeps {
  readonly s3: Pick<S3Client, 'send'>;
  readonly bucket: string;
  readonly logger: Logger;
}

/** Answers whether the rules were applied (false when the endpoint does not implement lifecycle rules). */
export async function applyBucketLifecycle(deps: BucketLifecycleDeps, archiveDays: number): Promise<boolean> {
  const rules = bucketLifecycleRules(archiveDays, telemetryBucket.prefixes);
  try {
    await deps.s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: deps.bucket,
        LifecycleConfiguration: {
          Rules: rules.map((r) => ({ ID: r.id, Status: 'Enabled', Filter: { Prefix: r.prefix }, Expiration: { Days: r.expirationDays } })),
        },
      }),
    );
    deps.logger.info({ archiveDays }, 'bucket lifecycle rules applied');
    return true;
  } catch (err) {
    if ((err as { name?: string } | null)?.name === 'NotImplemented') {
      deps.logger.warn({ archiveDays }, 'the S3 endpoint does not implement lifecycle rules: archive retention not applied');
      return false;
    }
    throw err;
  }
}
