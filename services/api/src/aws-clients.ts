/**
 * The AWS SDK v3 clients the API Service talks through. The app depends only on their `send`
 * method, so tests can hand in any object answering the commands a test exercises. Endpoints
 * and credentials come from the SDK's own configuration chain (AWS_ENDPOINT_URL, task role, …).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeThingGroupCommand, IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkClientDefaults } from '@fleet/core/aws-sdk';

export interface ApiClients {
  /** IoT control plane: things, certificates, policies. */
  readonly iot: Pick<IoTClient, 'send'>;
  /** IoT data plane: Publish. */
  readonly iotData: Pick<IoTDataPlaneClient, 'send'>;
  readonly dynamo: Pick<DynamoDBDocumentClient, 'send'>;
  /** Cognito user pool: users and groups. */
  readonly cognito: Pick<CognitoIdentityProviderClient, 'send'>;
  /** Cognito identity pool: GetId. */
  readonly cognitoIdentity: Pick<CognitoIdentityClient, 'send'>;
  /** SNS: the alarm topic's subscriptions (notification channels). */
  readonly sns: Pick<SNSClient, 'send'>;
  /** CloudWatch: the Data Service's metrics for the overview (GetMetricData). */
  readonly cloudwatch: Pick<CloudWatchClient, 'send'>;
}

/** Real clients for a region; `destroy` closes their sockets at shutdown. */
export function createAwsClients(region: string): ApiClients & { destroy(): void } {
  const config = { ...sdkClientDefaults, region };
  const base = new DynamoDBClient(config);
  const clients = {
    iot: new IoTClient(config),
    iotData: new IoTDataPlaneClient(config),
    dynamo: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    cognito: new CognitoIdentityProviderClient(config),
    cognitoIdentity: new CognitoIdentityClient(config),
    sns: new SNSClient(config),
    cloudwatch: new CloudWatchClient(config),
  };
  return {
    ...clients,
    destroy() {
      for (const client of [clients.iot, clients.iotData, clients.cognito, clients.cognitoIdentity, clients.sns, clients.cloudwatch, base])
        client.destroy();
    },
  };
}

/** An AWS service error's name (the SDK's `ServiceException` carries its code there), '' for anything else. */
export const awsErrorName = (err: unknown): string => {
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : '';
};

/** The resource asked for does not exist (AWS's ResourceNotFoundException, whichever service says it). */
export const isResourceNotFound = (err: unknown): boolean => awsErrorName(err) === 'ResourceNotFoundException';

/** Whether an AWS IoT thing group exists (DescribeThingGroup). */
export async function thingGroupExists(iot: ApiClients['iot'], group: string): Promise<boolean> {
  try {
    await iot.send(new DescribeThingGroupCommand({ thingGroupName: group }));
    return true;
  } catch (err) {
    if (isResourceNotFound(err)) return false;
    throw err;
  }
}
