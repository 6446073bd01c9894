/**
 * ARNs of the local cloud's resources: one account and region, as LocalStack does
 * (`000000000000`, `us-east-1`). The shared permission templates of `@fleet/core` are rendered
 * with these, so IAM evaluation compares the same strings AWS would.
 */
import type { ArnResolver } from '@fleet/core';

export interface LocalArns extends ArnResolver {
  table(name: string): string;
  queue(name: string): string;
  bucket(name: string): string;
  object(bucket: string, key: string): string;
  userPool(id: string): string;
  identityPool(id: string): string;
  iot(resource: string): string;
  alarm(name: string): string;
  logGroup(name: string): string;
}

export function localArns(input: { region: string; account: string; userPoolId: () => string }): LocalArns {
  const { region, account } = input;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
  return {
    partition: 'aws',
    region,
    account,
    table: (name) => arn('dynamodb', `table/${name}`),
    queue: (name) => arn('sqs', name),
    // S3 ARNs name no region or account (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html).
    bucket: (name) => `arn:aws:s3:::${name}`,
    object: (bucket, key) => `arn:aws:s3:::${bucket}/${key}`,
    userPool: (id) => arn('cognito-idp', `userpool/${id}`),
    identityPool: (id) => arn('cognito-identity', `identitypool/${id}`),
    iot: (resource) => arn('iot', resource),
    alarm: (name) => arn('cloudwatch', `alarm:${name}`),
    logGroup: (name) => arn('logs', `log-group:${name}`),
    tableArn: (id) => arn('dynamodb', `table/${id}`),
    queueArn: (id) => arn('sqs', id),
    bucketArn: (id) => `arn:aws:s3:::${id}`,
    userPoolArn: () => arn('cognito-idp', `userpool/${input.userPoolId()}`),
    topicArn: (id) => arn('sns', id),
    // IAM ARNs name no region; the local cloud keeps no role objects: a role is its name in policies.
    roleArn: (id) => `arn:aws:iam::${account}:role/${id}`,
  };
}
