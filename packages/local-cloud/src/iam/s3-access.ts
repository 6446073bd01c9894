/**
 * IAM actions and resources of S3 REST requests (path style), after the Service Authorization
 * Reference for Amazon S3: the action follows the method and the subresource in the query
 * (`?acl`, `?tagging`, `?uploads`, ...); bucket operations act on `arn:aws:s3:::bucket`, object
 * operations on `arn:aws:s3:::bucket/key`. HeadBucket and ListObjects are `s3:ListBucket` with the
 * `s3:prefix` condition key; HeadObject is `s3:GetObject`; multipart parts are `s3:PutObject`.
 */
import type { AwsRequest } from '../aws-endpoint/aws-request.ts';
import { copySource, deleteObjectsKeys, s3Target } from '../s3/s3-request-target.ts';
import type { AccessCheck } from './access-check.ts';
import type { LocalArns } from './local-arns.ts';

/** Bucket subresources by the action each method needs (Get…/Put…/Delete…). */
const bucketSubresources: Readonly<Record<string, { get: string; put: string; delete?: string }>> = {
  acl: { get: 'GetBucketAcl', put: 'PutBucketAcl' },
  cors: { get: 'GetBucketCORS', put: 'PutBucketCORS', delete: 'PutBucketCORS' },
  encryption: { get: 'GetEncryptionConfiguration', put: 'PutEncryptionConfiguration', delete: 'PutEncryptionConfiguration' },
  lifecycle: { get: 'GetLifecycleConfiguration', put: 'PutLifecycleConfiguration', delete: 'PutLifecycleConfiguration' },
  location: { get: 'GetBucketLocation', put: 'CreateBucket' },
  logging: { get: 'GetBucketLogging', put: 'PutBucketLogging' },
  notification: { get: 'GetBucketNotification', put: 'PutBucketNotification' },
  policy: { get: 'GetBucketPolicy', put: 'PutBucketPolicy', delete: 'DeleteBucketPolicy' },
  publicAccessBlock: { get: 'GetBucketPublicAccessBlock', put: 'PutBucketPublicAccessBlock', delete: 'PutBucketPublicAccessBlock' },
  tagging: { get: 'GetBucketTagging', put: 'PutBucketTagging', delete: 'PutBucketTagging' },
  uploads: { get: 'ListBucketMultipartUploads', put: 'ListBucketMultipartUploads' },
  versioning: { get: 'GetBucketVersioning', put: 'PutBucketVersioning' },
  versions: { get: 'ListBucketVersions', put: 'ListBucketVersions' },
  website: { get: 'GetBucketWebsite', put: 'PutBucketWebsite', delete: 'DeleteBucketWebsite' },
};

export function s3Access(req: AwsRequest, arns: LocalArns): AccessCheck[] {
  const { bucket, key } = s3Target(req.path);
  const method = req.method.toUpperCase();
  const has = (name: string) => req.query.has(name);
  const check = (action: string, resource: string, context?: Record<string, string>): AccessCheck => ({
    action: `s3:${action}`,
    resource,
    ...(context ? { context } : {}),
  });
  if (bucket === undefined) return [check('ListAllMyBuckets', '*')];
  const bucketArn = arns.bucket(bucket);
  if (key === undefined) {
    if (method === 'POST' && has('delete')) {
      const keys = deleteObjectsKeys(req.body);
      return (keys.length > 0 ? keys : ['']).map((k) => check('DeleteObject', arns.object(bucket, k)));
    }
    const subresource = Object.keys(bucketSubresources).find(has);
    const actions = subresource ? bucketSubresources[subresource] : undefined;
    if (actions) {
      const action =
        method === 'GET' || method === 'HEAD' ? actions.get : method === 'DELETE' ? (actions.delete ?? actions.put) : actions.put;
      return [check(action, bucketArn)];
    }
    if (method === 'GET' || method === 'HEAD') {
      const context: Record<string, string> = {};
      for (const name of ['prefix', 'delimiter', 'max-keys']) {
        const value = req.query.get(name);
        if (value !== null) context[`s3:${name}`] = value;
      }
      return [check('ListBucket', bucketArn, context)];
    }
    if (method === 'PUT') return [check('CreateBucket', bucketArn)];
    if (method === 'DELETE') return [check('DeleteBucket', bucketArn)];
    return [check(`${method}Bucket`, bucketArn)];
  }
  const objectArn = arns.object(bucket, key);
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (has('acl')) return [check(has('versionId') ? 'GetObjectVersionAcl' : 'GetObjectAcl', objectArn)];
      if (has('tagging')) return [check('GetObjectTagging', objectArn)];
      if (has('uploadId')) return [check('ListMultipartUploadParts', objectArn)];
      if (has('attributes')) return [check('GetObjectAttributes', objectArn)];
      return [check(has('versionId') ? 'GetObjectVersion' : 'GetObject', objectArn)];
    case 'PUT': {
      if (has('acl')) return [check('PutObjectAcl', objectArn)];
      if (has('tagging')) return [check('PutObjectTagging', objectArn)];
      const source = req.headers['x-amz-copy-source'];
      const copied = typeof source === 'string' ? copySource(source) : undefined;
      const read = copied?.bucket !== undefined ? [check('GetObject', arns.object(copied.bucket, copied.key ?? ''))] : [];
      return [check('PutObject', objectArn), ...read];
    }
    case 'POST':
      if (has('restore')) return [check('RestoreObject', objectArn)];
      if (has('select')) return [check('GetObject', objectArn)];
      return [check('PutObject', objectArn)];
    case 'DELETE':
      if (has('uploadId')) return [check('AbortMultipartUpload', objectArn)];
      if (has('tagging')) return [check('DeleteObjectTagging', objectArn)];
      return [check(has('versionId') ? 'DeleteObjectVersion' : 'DeleteObject', objectArn)];
    default:
      return [check(`${method}Object`, objectArn)];
  }
}
