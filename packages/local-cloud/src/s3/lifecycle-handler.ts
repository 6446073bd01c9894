/**
 * The bucket `?lifecycle` subresource, answered by the stand-in itself (s3rver has none):
 * PutBucketLifecycleConfiguration (PUT), GetBucketLifecycleConfiguration (GET, 404
 * NoSuchLifecycleConfiguration when none) and DeleteBucketLifecycle (DELETE, 204). IAM has been
 * checked before (s3:PutLifecycleConfiguration for PUT and DELETE, s3:GetLifecycleConfiguration
 * for GET, iam/s3-access.ts).
 */
import { HeadBucketCommand, NotFound, type S3Client } from '@aws-sdk/client-s3';
import type { AwsRequest, AwsResponse } from '../aws-endpoint/index.ts';
import { s3Error } from '../aws-endpoint/service-errors.ts';
import { lifecycleConfigurationXml, parseLifecycleConfiguration } from './lifecycle-config.ts';
import type { LifecycleStore } from './lifecycle-store.ts';
import { s3Target } from './s3-request-target.ts';

/** Whether the request is for a bucket's lifecycle configuration. */
export function isLifecycleRequest(req: AwsRequest): boolean {
  const { bucket, key } = s3Target(req.path);
  return bucket !== undefined && key === undefined && req.query.has('lifecycle');
}

export function createLifecycleHandler(deps: { client: S3Client; store: LifecycleStore }) {
  const { client, store } = deps;

  async function bucketExists(bucket: string): Promise<boolean> {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch (err) {
      if (err instanceof NotFound || (err as { name?: string }).name === 'NoSuchBucket') return false;
      throw err;
    }
  }

  return async function handle(req: AwsRequest): Promise<AwsResponse> {
    const bucket = s3Target(req.path).bucket ?? '';
    const method = req.method.toUpperCase();
    if (!(await bucketExists(bucket))) return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', `/${bucket}`);
    if (method === 'GET') {
      const rules = store.get(bucket);
      if (!rules) return s3Error(404, 'NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', `/${bucket}`);
      return { status: 200, headers: { 'content-type': 'application/xml' }, body: lifecycleConfigurationXml(rules) };
    }
    if (method === 'DELETE') {
      await store.set(bucket, undefined);
      return { status: 204, headers: {} };
    }
    if (method === 'PUT') {
      const parsed = parseLifecycleConfiguration(req.body.toString('utf8'));
      // S3 answers NotImplemented with 501; the local cloud keeps to 4xx for requests it cannot serve (s3rver-answers.ts).
      if (!parsed.ok) return s3Error(400, parsed.code, parsed.message, `/${bucket}`);
      await store.set(bucket, parsed.rules);
      return { status: 200, headers: {} };
    }
    return s3Error(
      405,
      'MethodNotAllowed',
      `The specified method is not allowed against the lifecycle subresource: ${method}.`,
      `/${bucket}`,
    );
  };
}
