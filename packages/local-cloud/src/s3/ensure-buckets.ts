/**
 * Creates the named buckets if missing. Idempotent: a bucket we already own is fine, so it can
 * run at every start of the local cloud.
 */
import { BucketAlreadyExists, BucketAlreadyOwnedByYou, CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';

export async function ensureBuckets(client: S3Client, names: readonly string[]): Promise<void> {
  for (const name of names) {
    try {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    } catch (err) {
      // One account locally: BucketAlreadyExists can only mean it is ours.
      if (err instanceof BucketAlreadyOwnedByYou || err instanceof BucketAlreadyExists) continue;
      throw new Error(`Creating S3 bucket ${name} failed`, { cause: err });
    }
  }
}
