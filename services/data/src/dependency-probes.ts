/**
 * The Data Service's readiness probes: one cheap call per dependency, each allowed by the task role
 * it already has (infra/lib/service-permissions.ts), answered by DynamoDB, S3 and SQS alike.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DependencyProbe } from '@fleet/core';

/** DescribeTable: a control-plane read that costs no capacity and fails while DynamoDB cannot serve. */
export const tableProbe = (client: Pick<DynamoDBDocumentClient, 'send'>, table: string): DependencyProbe => ({
  name: `dynamodb:${table}`,
  probe: (abortSignal) => client.send(new DescribeTableCommand({ TableName: table }), { abortSignal }),
});

/**
 * One key of a prefix the service owns. HeadBucket would need s3:ListBucket on the whole bucket;
 * the role may list only its prefixes (the s3:prefix condition), and this is one GET LIST request.
 */
export const bucketProbe = (client: Pick<S3Client, 'send'>, bucket: string, prefix: string): DependencyProbe => ({
  name: `s3:${bucket}`,
  probe: (abortSignal) => client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }), { abortSignal }),
});

/** GetQueueAttributes of one attribute: SQS's cheapest call on the queue the consumer reads. */
export const queueProbe = (client: Pick<SQSClient, 'send'>, queueUrl: string): DependencyProbe => ({
  name: `sqs:${queueUrl.split('/').pop() ?? queueUrl}`,
  probe: (abortSignal) =>
    client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }), { abortSignal }),
});
