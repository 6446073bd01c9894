/**
 * Presigned S3 links (SigV4 query-string authentication,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html) signed with the
 * Data Service's own credentials: the browser downloads an export and uploads an import straight
 * from and to the bucket, never through API Gateway (10 MB a request) or the service.
 *
 * The upload link signs its Content-Type, so the client must send the one the job names; its size
 * is checked when the import is started (a presigned PUT cannot bound the length it accepts).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { dataJobLimits } from '@fleet/core';

export interface PresignedLink {
  readonly url: string;
  readonly expiresAt: string;
}

export interface PresignedLinks {
  /** A GET of `key` that saves as `filename`. */
  download(key: string, filename: string): Promise<PresignedLink>;
  /** A PUT of `key` with `contentType`. */
  upload(key: string, contentType: string): Promise<PresignedLink & { readonly contentType: string }>;
}

export function createPresignedLinks(deps: {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly now?: () => number;
}): PresignedLinks {
  const { s3, bucket } = deps;
  const now = deps.now ?? Date.now;
  const expiresIn = dataJobLimits.linkSeconds;
  const expiresAt = () => new Date(now() + expiresIn * 1000).toISOString();
  return {
    async download(key, filename) {
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ResponseContentDisposition: `attachment; filename="${filename}"`,
      });
      return { url: await getSignedUrl(s3, command, { expiresIn }), expiresAt: expiresAt() };
    },
    async upload(key, contentType) {
      const command = new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType });
      // content-type stays a signed header (not hoisted into the query): S3 then refuses another type.
      const url = await getSignedUrl(s3, command, { expiresIn, signableHeaders: new Set(['content-type']) });
      return { url, contentType, expiresAt: expiresAt() };
    },
  };
}
