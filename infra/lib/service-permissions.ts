/**
 * Least-privilege task-role statements per service: explicit actions on named resources (no
 * `grant*` helpers, which add wildcard actions). Wildcards remain only where AWS forces them;
 * `platform-stack.ts` acknowledges each one with the reason.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { ServiceName } from '@fleet/core';
import { devicesTable, latestTable, telemetryBucket, telemetryTable, topics } from '@fleet/core';
import type { Construct } from 'constructs';
import type { Auth } from './constructs/auth.ts';
import type { Storage } from './constructs/storage.ts';
import { acknowledgeWildcardResource } from './nag.ts';

export interface PermissionSources {
  readonly scope: Construct;
  readonly storage: Storage;
  /** The telemetry bucket as the consuming stack sees it. */
  readonly bucket: s3.IBucket;
  readonly auth: Auth;
}

const tableResources = (s: PermissionSources, id: string): string[] => {
  const table = s.storage.table(id);
  const def = s.storage.tableDefinitions.find((t) => t.id === id);
  return [table.tableArn, ...(def?.globalSecondaryIndexes ?? []).map((gsi) => `${table.tableArn}/index/${gsi.indexName}`)];
};

/** One task-role statement; a wildcard resource carries the reason AWS forces it. */
export interface TaskPermission {
  readonly statement: iam.PolicyStatement;
  readonly wildcardReason?: string;
}

const allow = (
  actions: string[],
  resources: string[],
  more: { conditions?: Record<string, unknown>; wildcardReason?: string } = {},
): TaskPermission => ({
  statement: new iam.PolicyStatement({ actions, resources, ...(more.conditions ? { conditions: more.conditions } : {}) }),
  ...(more.wildcardReason ? { wildcardReason: more.wildcardReason } : {}),
});

const runtimeNames = 'names are chosen at run time (device ids, certificate ids), so no ARN can be written at deploy time';

/** What each service's task role may do. The frontend serves files and talks to Cognito's public APIs only. */
export function taskPermissions(service: ServiceName, s: PermissionSources): TaskPermission[] {
  const { region, account, partition } = Stack.of(s.scope);
  const iotArn = (resource: string) => `arn:${partition}:iot:${region}:${account}:${resource}`;
  switch (service) {
    case 'frontend':
      return [];
    case 'api':
      return [
        allow(
          [
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
            'dynamodb:Query',
            'dynamodb:Scan',
            'dynamodb:BatchGetItem',
          ],
          tableResources(s, devicesTable.id),
        ),
        allow(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem'], tableResources(s, latestTable.id)),
        allow(
          [
            'cognito-idp:AdminAddUserToGroup',
            'cognito-idp:AdminRemoveUserFromGroup',
            'cognito-idp:AdminListGroupsForUser',
            'cognito-idp:AdminGetUser',
            'cognito-idp:ListUsers',
            'cognito-idp:ListUsersInGroup',
          ],
          [s.auth.userPool.userPoolArn],
        ),
        // Things and certificates are created at run time with names nobody knows at deploy time.
        allow(
          [
            'iot:CreateThing',
            'iot:DescribeThing',
            'iot:DeleteThing',
            'iot:AttachThingPrincipal',
            'iot:DetachThingPrincipal',
            'iot:ListThingPrincipals',
          ],
          [iotArn('thing/*')],
          { wildcardReason: `Things: ${runtimeNames}.` },
        ),
        allow(['iot:UpdateCertificate', 'iot:DeleteCertificate', 'iot:DescribeCertificate'], [iotArn('cert/*')], {
          wildcardReason: `Certificates: ${runtimeNames}.`,
        }),
        // CreateKeysAndCertificate / CreateCertificateFromCsr have no resource type; AttachPolicy's targets
        // include Cognito identities, which are no IAM resource type either (Service Authorization Reference).
        allow(['iot:CreateKeysAndCertificate', 'iot:CreateCertificateFromCsr', 'iot:AttachPolicy', 'iot:DetachPolicy'], ['*'], {
          wildcardReason:
            'CreateKeysAndCertificate and CreateCertificateFromCsr support no resource type; AttachPolicy/DetachPolicy target Cognito identities, which are no IAM resource type (Service Authorization Reference).',
        }),
        // Commands to one device at a time, and its shadow.
        allow(['iot:Publish'], [iotArn(`topic/${topics.commands('*')}`)], { wildcardReason: `Command topics: device ${runtimeNames}.` }),
        allow(['iot:GetThingShadow', 'iot:UpdateThingShadow'], [iotArn('thing/*')], { wildcardReason: `Shadows: ${runtimeNames}.` }),
      ];
    case 'data': {
      const bucket = s.bucket;
      const { prefixes } = telemetryBucket;
      const queue = s.storage.ingestQueue;
      const deadLetterQueue = s.storage.ingestDeadLetterQueue;
      return [
        allow(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'], tableResources(s, devicesTable.id)),
        allow(
          ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
          tableResources(s, latestTable.id),
        ),
        allow(
          [
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:BatchWriteItem',
            'dynamodb:BatchGetItem',
            'dynamodb:Query',
          ],
          tableResources(s, telemetryTable.id),
        ),
        allow(
          ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:SendMessage'],
          [queue.queueArn],
        ),
        // Replay of the DLQ (dead-letter queue redrive): its depth, and a message move task back to the
        // ingest queue. AWS requires ReceiveMessage, DeleteMessage and GetQueueAttributes on the DLQ for
        // the three move-task actions, and SendMessage on the destination (granted above)
        // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
        allow(
          [
            'sqs:GetQueueAttributes',
            'sqs:ReceiveMessage',
            'sqs:DeleteMessage',
            'sqs:StartMessageMoveTask',
            'sqs:ListMessageMoveTasks',
            'sqs:CancelMessageMoveTask',
          ],
          [deadLetterQueue.queueArn],
        ),
        // Object keys are made at run time (hour partitions, uuids): only the prefixes can be named.
        allow(
          ['s3:PutObject', 's3:GetObject'],
          [
            bucket.arnForObjects(`${prefixes.archive}*`),
            bucket.arnForObjects(`${prefixes.deadLetters}*`),
            bucket.arnForObjects(`${prefixes.exports}*`),
          ],
          {
            wildcardReason:
              'Object keys are made at run time (hour partitions, uuids); the grant is limited to the three prefixes the service owns.',
          },
        ),
        // Replay deletes an error-action dead letter once it is back on the queue.
        allow(['s3:DeleteObject'], [bucket.arnForObjects(`${prefixes.deadLetters}rules/*`)], {
          wildcardReason: 'Dead letters are keyed by hour and uuid at run time; the grant is limited to the error-action prefix.',
        }),
        allow(['s3:ListBucket'], [bucket.bucketArn], {
          conditions: { StringLike: { 's3:prefix': [`${prefixes.archive}*`, `${prefixes.deadLetters}*`, `${prefixes.exports}*`] } },
        }),
      ];
    }
  }
}

/** Acknowledges, one finding per wildcard resource, the wildcards of a task role (with their reasons). */
export function acknowledgeTaskWildcards(scope: Construct, permissions: readonly TaskPermission[]): void {
  for (const p of permissions) {
    if (!p.wildcardReason) continue;
    for (const resource of p.statement.resources) {
      if (resource.includes('*')) acknowledgeWildcardResource(scope, resource, p.wildcardReason);
    }
  }
}
