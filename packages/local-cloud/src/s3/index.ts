export { startS3, type S3Options, type S3StandIn } from './s3-stand-in.ts';
export { ensureBuckets } from './ensure-buckets.ts';
export { decodeAwsChunked } from './aws-chunked.ts';
export { ensureBucketLifecycle } from './ensure-lifecycle.ts';
