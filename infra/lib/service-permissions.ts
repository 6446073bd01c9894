/**
 * The task-role statements of `@fleet/core` (`taskRoleStatements`), rendered with this app's
 * resource ARNs. The local cloud evaluates the same definitions against every signed request,
 * so a permission missing here fails locally first.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { ArnResolver, ServiceName } from '@fleet/core';
import { ingestQueue, renderStatement, taskRoleStatements, userRulesRole } from '@fleet/core';
import type { Construct } from 'constructs';
import type { Auth } from './constructs/auth.ts';
import type { Notifications } from './constructs/notifications.ts';
import type { Storage } from './constructs/storage.ts';
import { acknowledgeWildcardResource } from './nag.ts';

export interface PermissionSources {
  readonly scope: Construct;
  readonly storage: Storage;
  /** The telemetry bucket as the consuming stack sees it. */
  readonly bucket: s3.IBucket;
  readonly auth: Auth;
  readonly notifications: Notifications;
}

/** One task-role statement; a wildcard resource carries the reason AWS forces it. */
export interface TaskPermission {
  readonly statement: iam.PolicyStatement;
  readonly wildcardReason?: string;
}

/** ARNs of the shared resources as CloudFormation references. */
function arnResolver(s: PermissionSources): ArnResolver {
  const { region, account, partition } = Stack.of(s.scope);
  const queues = new Map([
    [ingestQueue.id, s.storage.ingestQueue],
    [ingestQueue.deadLetter.id, s.storage.ingestDeadLetterQueue],
  ]);
  return {
    partition,
    region,
    account,
    tableArn: (id) => s.storage.table(id).tableArn,
    queueArn: (id) => {
      const queue = queues.get(id);
      if (!queue) throw new Error(`no queue "${id}" in the storage construct; expected one of ${[...queues.keys()].join(', ')}`);
      return queue.queueArn;
    },
    topicArn: (id) => s.notifications.topic(id).topicArn,
    bucketArn: () => s.bucket.bucketArn,
    userPoolArn: () => s.auth.userPool.userPoolArn,
    roleArn: (id) => {
      if (id !== userRulesRole.id) throw new Error(`no role "${id}"; expected ${userRulesRole.id}`);
      return s.notifications.userRulesRole.roleArn;
    },
  };
}

/** What each service's task role may do, rendered from the shared definition. */
export function taskPermissions(service: ServiceName, s: PermissionSources): TaskPermission[] {
  const arns = arnResolver(s);
  return taskRoleStatements[service].map((statement) => {
    const rendered = renderStatement(statement, arns);
    return {
      statement: new iam.PolicyStatement({
        actions: [...rendered.Action],
        resources: [...rendered.Resource],
        ...(rendered.Condition ? { conditions: rendered.Condition } : {}),
      }),
      ...(statement.wildcardReason ? { wildcardReason: statement.wildcardReason } : {}),
    };
  });
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
