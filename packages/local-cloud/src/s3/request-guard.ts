/**
 * What may be forwarded to s3rver. s3rver stores an object at
 * `path.join(<data>/s3, bucket, ...key.split('/'))` (its FilesystemStore), so a bucket name `..`
 * or a key with a `.` or `..` segment is resolved by the filesystem: `../../../../x` was written
 * outside the data folder (issue 7). AWS S3 accepts such keys as plain strings; keeping them
 * would mean rewriting every key between the client and s3rver in both directions (paths, copy
 * sources, DeleteObjects bodies, listing XML, multipart answers) with an encoding that keeps
 * prefix listing exact. The local cloud refuses them instead, with an S3-shaped 400 that says why.
 */
import type { AwsRequest, AwsResponse } from '../aws-endpoint/index.ts';
import { s3Error } from '../aws-endpoint/service-errors.ts';
import { copySource, deleteObjectsKeys, s3Target, type S3Target } from './s3-request-target.ts';

/** Legacy path-style bucket names (us-east-1): letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
const bucketPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** Undefined when the request is safe for s3rver; else the error to answer. */
export function refuseUnsafeS3Request(req: AwsRequest): AwsResponse | undefined {
  const targets: { target: S3Target; where: string }[] = [{ target: s3Target(req.path), where: 'the request path' }];
  const source = req.headers['x-amz-copy-source'];
  if (typeof source === 'string') targets.push({ target: copySource(source), where: 'x-amz-copy-source' });
  if (req.method === 'POST' && req.query.has('delete')) {
    const bucket = targets[0]?.target.bucket;
    for (const key of deleteObjectsKeys(req.body)) targets.push({ target: { bucket, key }, where: 'the Delete request body' });
  }
  for (const { target, where } of targets) {
    if (target.bucket !== undefined && !bucketPattern.test(target.bucket)) {
      return s3Error(400, 'InvalidBucketName', `The specified bucket is not valid: "${target.bucket}" (in ${where}).`, req.path);
    }
    if (target.key !== undefined && unsafeKey(target.key)) {
      return s3Error(
        400,
        'InvalidArgument',
        `Object key "${target.key}" (in ${where}) has an empty, "." or ".." path segment or a NUL character. AWS S3 stores such keys as plain strings, but the local cloud's S3 (s3rver) keeps each key segment as a folder, where they would resolve outside the bucket; choose a key without them.`,
        req.path,
      );
    }
  }
  return undefined;
}

function unsafeKey(key: string): boolean {
  if (key.includes('\0')) return true;
  // An empty segment (other than a trailing "folder/" marker) would collapse onto another key's file.
  return key.split('/').some((segment, i, all) => segment === '.' || segment === '..' || (segment === '' && i < all.length - 1));
}
