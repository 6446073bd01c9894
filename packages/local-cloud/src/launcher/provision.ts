/**
 * Creates (or finds again, after a restart) every resource of the shared definitions in the local
 * cloud: what `cdk deploy` does on AWS. Idempotent: running it on an existing data folder changes nothing.
 */
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import {
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateIdentityPoolCommand, ListIdentityPoolsCommand } from '@aws-sdk/client-cognito-identity';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import {
  alarms,
  sharedBrowserPolicyDocument,
  bucketLifecycleRules,
  defaultRetention,
  browserPolicyName,
  devicePolicyDocument,
  devicePolicyName,
  monitoring,
  notificationTopics,
  cognitoPasswordPolicy,
  queues,
  rules,
  services,
  tables,
  telemetryBucket,
  tokenValidity,
  userPoolGroups,
  type QueueDefinition,
} from '@fleet/core';
import { ensureTables } from '../dynamodb/index.ts';
import { ensureBucketLifecycle, ensureBuckets } from '../s3/index.ts';
import type { LocalClients } from './aws-clients.ts';
import { ensurePolicyDocument } from './iot-policy-versions.ts';

export const userPoolName = 'fleet-users';
export const userPoolClientName = 'fleet-web';
export const identityPoolName = 'fleet_identities';

export interface ProvisionedResources {
  readonly queueUrls: Readonly<Record<string, string>>;
  readonly bucketName: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly identityPoolId: string;
}

export async function provision(clients: LocalClients, region: string, accountId: string): Promise<ProvisionedResources> {
  await ensureTables(clients.dynamodb, [...tables]);
  await ensureBuckets(clients.s3, [telemetryBucket.id]);
  await ensureBucketLifecycle(clients.s3, telemetryBucket.id, bucketLifecycleRules(defaultRetention.archiveDays, telemetryBucket.prefixes));
  const queueUrls: Record<string, string> = {};
  for (const queue of queues) Object.assign(queueUrls, await ensureQueue(clients, queue));
  const { userPoolId, userPoolClientId } = await ensureUserPool(clients);
  const identityPoolId = await ensureIdentityPool(clients, region, userPoolId, userPoolClientId);
  await ensureIotPolicies(clients, region, accountId);
  await ensureMonitoring(clients);
  await ensureTopics(clients);
  return { queueUrls, bucketName: telemetryBucket.id, userPoolId, userPoolClientId, identityPoolId };
}

async function ensureQueue(clients: LocalClients, queue: QueueDefinition): Promise<Record<string, string>> {
  // CreateQueue is idempotent for identical attributes, as on AWS.
  const dlq = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: queue.deadLetter.id,
      Attributes: { MessageRetentionPeriod: String(queue.deadLetter.retentionSeconds) },
    }),
  );
  const dlqArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] })))
    .Attributes?.QueueArn;
  const main = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: queue.id,
      Attributes: {
        VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(queue.retentionSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queue.deadLetter.maxReceiveCount }),
      },
    }),
  );
  if (!main.QueueUrl || !dlq.QueueUrl) throw new Error(`CreateQueue returned no QueueUrl for ${queue.id}`);
  return { [queue.id]: main.QueueUrl, [queue.deadLetter.id]: dlq.QueueUrl };
}

async function ensureUserPool(clients: LocalClients): Promise<{ userPoolId: string; userPoolClientId: string }> {
  const pools = await clients.cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  let userPoolId = pools.UserPools?.find((p) => p.Name === userPoolName)?.Id;
  if (!userPoolId) {
    const created = await clients.cognito.send(
      new CreateUserPoolCommand({
        PoolName: userPoolName,
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        Policies: {
          PasswordPolicy: cognitoPasswordPolicy,
        },
      }),
    );
    userPoolId = created.UserPool?.Id;
    if (!userPoolId) throw new Error('CreateUserPool returned no pool id');
    for (const group of userPoolGroups) {
      await clients.cognito.send(
        new CreateGroupCommand({
          UserPoolId: userPoolId,
          GroupName: group.name,
          Description: group.description,
          Precedence: group.precedence,
        }),
      );
    }
  }
  const existingClients = await clients.cognito.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
  let userPoolClientId = existingClients.UserPoolClients?.find((c) => c.ClientName === userPoolClientName)?.ClientId;
  if (!userPoolClientId) {
    const created = await clients.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: userPoolClientName,
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
        AccessTokenValidity: tokenValidity.accessTokenMinutes,
        IdTokenValidity: tokenValidity.idTokenMinutes,
        RefreshTokenValidity: tokenValidity.refreshTokenDays,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
      }),
    );
    userPoolClientId = created.UserPoolClient?.ClientId;
    if (!userPoolClientId) throw new Error('CreateUserPoolClient returned no client id');
  }
  return { userPoolId, userPoolClientId };
}

async function ensureIdentityPool(clients: LocalClients, region: string, userPoolId: string, clientId: string): Promise<string> {
  const pools = await clients.cognitoIdentity.send(new ListIdentityPoolsCommand({ MaxResults: 60 }));
  const existing = pools.IdentityPools?.find((p) => p.IdentityPoolName === identityPoolName)?.IdentityPoolId;
  if (existing) return existing;
  const created = await clients.cognitoIdentity.send(
    new CreateIdentityPoolCommand({
      IdentityPoolName: identityPoolName,
      AllowUnauthenticatedIdentities: false,
      CognitoIdentityProviders: [{ ProviderName: `cognito-idp.${region}.amazonaws.com/${userPoolId}`, ClientId: clientId }],
    }),
  );
  if (!created.IdentityPoolId) throw new Error('CreateIdentityPool returned no pool id');
  return created.IdentityPoolId;
}

async function ensureIotPolicies(clients: LocalClients, region: string, accountId: string): Promise<void> {
  const policies = [
    { name: devicePolicyName, document: devicePolicyDocument(region, accountId) },
    // Each user's own policy is the API Service's (live access); the shared one is kept, allowing only Connect.
    { name: browserPolicyName, document: sharedBrowserPolicyDocument(region, accountId) },
  ];
  for (const policy of policies) await ensurePolicyDocument(clients.iot, policy.name, policy.document);
}

/** CreateTopic answers the existing topic's ARN for the same name and attributes, as on AWS. */
async function ensureTopics(clients: LocalClients): Promise<void> {
  for (const topic of notificationTopics) {
    await clients.sns.send(new CreateTopicCommand({ Name: topic.id, Attributes: { DisplayName: topic.displayName } }));
  }
}

async function ensureMonitoring(clients: LocalClients): Promise<void> {
  const logGroups = new Set<string>([
    monitoring.alertsLogGroup,
    monitoring.ruleErrorsLogGroup,
    ...services.map((s) => monitoring.serviceLogGroup(s.name)),
    ...rules.flatMap((r) => r.actions.flatMap((a) => (a.kind === 'cloudwatchLogs' ? [a.logGroupName] : []))),
  ]);
  for (const logGroupName of logGroups) await ignoreExisting(clients.logs.send(new CreateLogGroupCommand({ logGroupName })));
  for (const alarm of alarms) {
    await clients.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarm.name,
        Namespace: alarm.namespace,
        MetricName: alarm.metricName,
        Dimensions: Object.entries(alarm.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
        Statistic: alarm.statistic,
        Period: alarm.periodSeconds,
        EvaluationPeriods: alarm.evaluationPeriods,
        Threshold: alarm.threshold,
        ComparisonOperator: alarm.comparison,
        TreatMissingData: 'notBreaching',
      }),
    );
  }
}

/** CreateX on AWS fails with ResourceAlreadyExists(Exception) the second time: that is success here. */
async function ignoreExisting(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!/AlreadyExists/.test((err as Error).name)) throw err;
  }
}
