/**
 * SDK clients pointed at the local AWS endpoint. The launcher provisions resources through the
 * same wire protocol a CDK deployment uses on AWS, so the stand-ins are exercised the same way.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { IoTClient } from '@aws-sdk/client-iot';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { sdkClientDefaults } from '@fleet/core/aws-sdk';
import type { KeyPair } from '../iam/index.ts';

export function createLocalClients(endpoint: string, region: string, root: KeyPair) {
  const credentials = { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey };
  const config = { ...sdkClientDefaults, endpoint, region, credentials, maxAttempts: 3 };
  return {
    dynamodb: new DynamoDBClient(config),
    // s3rver needs path-style addressing and no streaming checksums (NOTES.md).
    s3: new S3Client({ ...config, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' }),
    sqs: new SQSClient(config),
    // The rules engine's sns action publishes through it, and provisioning creates core's topics.
    sns: new SNSClient(config),
    cognito: new CognitoIdentityProviderClient(config),
    cognitoIdentity: new CognitoIdentityClient(config),
    iot: new IoTClient(config),
    cloudwatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
  };
}

export type LocalClients = ReturnType<typeof createLocalClients>;

export function destroyClients(clients: LocalClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
