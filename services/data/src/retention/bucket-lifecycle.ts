/**
 * Applies the archive retention to the bucket: the rules of `bucketLifecycleRules` replace the rules
 * with the same ids, and every other rule is kept as it is. PutBucketLifecycleConfiguration replaces
 * the whole configuration (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html),
 * so the current one is read first: on AWS the CDK app's bucket also has rules of its own (the
 * archive's tiering, and the expiry of noncurrent versions without which an expired object of this
 * versioned bucket would stay forever behind its delete marker).
 * Run at start-up (a redeploy may have reset the rules to the CDK default) and whenever the archive
 * retention changes. An S3 stand-in without lifecycle support answers NotImplemented: logged, not fatal.
 */
import {
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
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
  const ours = new Set(rules.map((r) => r.id));
  try {
    const others = (await currentRules(deps)).filter((rule) => !ours.has(rule.ID ?? ''));
    await deps.s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: deps.bucket,
        LifecycleConfiguration: {
          Rules: [
            ...others,
            ...rules.map((r) => ({
              ID: r.id,
              Status: 'Enabled' as const,
              Filter: { Prefix: r.prefix },
              Expiration: { Days: r.expirationDays },
            })),
          ],
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

/** The bucket's rules now; none when it has no configuration (S3 answers NoSuchLifecycleConfiguration). */
async function currentRules(deps: BucketLifecycleDeps): Promise<LifecycleRule[]> {
  try {
    return (await deps.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: deps.bucket }))).Rules ?? [];
  } catch (err) {
    if ((err as { name?: string } | null)?.name === 'NoSuchLifecycleConfiguration') return [];
    throw err;
  }
}
