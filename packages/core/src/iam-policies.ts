/**
 * IAM permissions, defined once: what each service's task role may do, with resources written as
 * templates over the shared resource ids. The CDK app renders them with its resources' ARNs
 * (tokens); the local cloud renders them with its own ARNs and evaluates every signed request
 * against them, so a missing permission fails locally the way it would on AWS.
 *
 * Explicit actions on named resources only (no `grant*` helpers, which add wildcard actions);
 * a wildcard resource carries the reason AWS forces it.
 */
import { browserPolicyDocument, browserPolicyNameFor, type IotPolicyStatement } from './iot-policies.ts';
import { topics } from './topics.ts';
import {
  alarmNotificationsTopic,
  alarmsTable,
  dataControlTable,
  dashboardsTable,
  auditTable,
  deviceImportsTable,
  rollupsTable,
  devicesTable,
  ingestQueue,
  latestTable,
  platformStateTable,
  metricSettingsTable,
  tables,
  telemetryBucket,
  telemetryTable,
} from './resources.ts';
import { awsRuleName, republishTopicPrefix } from './rule-contract.ts';
import { fleetProvisioningTemplateName, provisioningRoleName } from './fleet-provisioning-template.ts';
import type { ServiceName } from './services.ts';

/** A resource of a permission, by the shared id of what it names. */
export type ResourceTemplate =
  /** A DynamoDB table and each of its global secondary indexes. */
  | { readonly table: string }
  | { readonly queue: string }
  | { readonly bucket: string }
  /** Objects of a bucket whose keys match `keys` (IAM wildcards). */
  | { readonly bucket: string; readonly keys: string }
  /** The Cognito user pool of the platform. */
  | { readonly userPool: true }
  /** An IoT resource of this account and region: `thing/*`, `cert/*`, `topic/...`. */
  | { readonly iot: string }
  /** An SNS topic of `notificationTopics`, by its shared id. */
  | { readonly topic: string }
  /** An IAM role of the platform, by its shared id (`platformRoles`). */
  | { readonly role: string }
  /** `*`: for actions that support no resource type. */
  | { readonly anyResource: true };

export type PolicyCondition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface PermissionStatement {
  readonly actions: readonly string[];
  readonly resources: readonly ResourceTemplate[];
  readonly condition?: PolicyCondition;
  /** Why a resource wildcard cannot be avoided (acknowledged in cdk-nag with this text). */
  readonly wildcardReason?: string;
}

/** How a runtime names the shared resources: tokens in CDK, concrete ARNs in the local cloud. */
export interface ArnResolver {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  tableArn(id: string): string;
  queueArn(id: string): string;
  bucketArn(id: string): string;
  userPoolArn(): string;
  topicArn(id: string): string;
  roleArn(id: string): string;
}

/** An IAM policy statement as IAM (and CloudFormation) spell it. */
export interface IamStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: PolicyCondition;
}

/**
 * The role AWS IoT assumes to run the actions of users' rules (`rule-contract.ts`): republish under
 * `fleet/rules/` only and publish to the alarm notifications topic, nothing else, so a user's rule
 * can neither forge device traffic nor reach the platform's queue, tables or bucket. The http
 * (webhook) action needs no role. The API Service may pass this role and no other.
 */
export const userRulesRole = {
  id: 'fleet-user-rules',
  description: "Assumed by AWS IoT to run the actions of users' topic rules",
  assumedBy: 'iot.amazonaws.com',
  statements: [
    {
      actions: ['iot:Publish'],
      resources: [{ iot: `topic/${republishTopicPrefix}*` }],
      wildcardReason: `Users choose the republish topics of their rules at run time; the grant is limited to ${republishTopicPrefix}.`,
    },
    { actions: ['sns:Publish'], resources: [{ topic: alarmNotificationsTopic.id }] },
  ] satisfies readonly PermissionStatement[],
} as const;

/**
 * The role AWS IoT assumes to run Fleet's provisioning template (`provisioningRoleArn`,
 * fleet-provisioning-template.ts): AWS's managed policy for it, which lists the registry calls
 * RegisterThing makes (create and describe the thing, activate and attach the certificate, attach the
 * device policy). Locally the role is named in the template but not assumed, as rule roles are.
 */
export const provisioningRole = {
  id: provisioningRoleName,
  description: "Assumed by AWS IoT to run Fleet's fleet provisioning template",
  assumedBy: 'iot.amazonaws.com',
  managedPolicy: 'service-role/AWSIoTThingsRegistration',
} as const;

/** Roles of the platform besides the task roles, by id. */
export const platformRoles = [userRulesRole] as const;

const runtimeNames = 'names are chosen at run time (device ids, certificate ids), so no ARN can be written at deploy time';
const { prefixes } = telemetryBucket;
const ownedPrefixes = [prefixes.archive, prefixes.deadLetters, prefixes.exports, prefixes.imports].map((p) => `${p}*`);

/** What each service's task role may do. The frontend serves files and talks to Cognito's public APIs only. */
export const taskRoleStatements: Readonly<Record<ServiceName, readonly PermissionStatement[]>> = {
  frontend: [],
  api: [
    // One owner per table (docs/adr/0001-table-ownership.md): the API Service owns the device
    // registry; presence and latest values it asks the Data Service for over HTTP.
    {
      actions: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:BatchGetItem',
        // The readiness probe (/api/health).
        'dynamodb:DescribeTable',
      ],
      resources: [{ table: devicesTable.id }],
    },
    // The first admin's claim (a conditional put) and its completion (services/api/src/auth/first-admin.ts);
    // DescribeTable for the readiness probe.
    {
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DescribeTable'],
      resources: [{ table: platformStateTable.id }],
    },
    // Users' dashboards (services/api/src/dashboards): conditional puts on the version, the owner's
    // and the shared index queried for the list; DescribeTable for the readiness probe.
    {
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
      resources: [{ table: dashboardsTable.id }],
    },
    // The audit trail and the revoked devices' records: written once and read, never changed or
    // deleted (entries leave by TTL), so the task role holds no UpdateItem or DeleteItem on it.
    // DescribeTable for the readiness probe.
    {
      actions: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
      resources: [{ table: auditTable.id }],
    },
    // Device imports (services/api/src/device-imports): the job item written and updated as rows
    // finish, result items put once, both read back by Query; DescribeTable for the readiness probe.
    {
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
      resources: [{ table: deviceImportsTable.id }],
    },
    {
      actions: [
        // Invitations: Cognito mails the temporary password.
        'cognito-idp:AdminCreateUser',
        // Device access: a grant is a group `thing-group:<name>`, created the first time it is granted.
        'cognito-idp:CreateGroup',
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminRemoveUserFromGroup',
        'cognito-idp:AdminListGroupsForUser',
        'cognito-idp:AdminGetUser',
        'cognito-idp:ListUsers',
        'cognito-idp:ListUsersInGroup',
      ],
      resources: [{ userPool: true }],
    },
    {
      actions: [
        'iot:CreateThing',
        'iot:DescribeThing',
        // A device's attributes after registration (PUT /api/devices/:id/attributes).
        'iot:UpdateThing',
        'iot:DeleteThing',
        'iot:AttachThingPrincipal',
        'iot:DetachThingPrincipal',
        'iot:ListThingPrincipals',
      ],
      resources: [{ iot: 'thing/*' }],
      wildcardReason: `Things: ${runtimeNames}.`,
    },
    {
      // The Admin area's Provisioning section reads Fleet's template.
      actions: ['iot:DescribeProvisioningTemplate'],
      resources: [{ iot: `provisioningtemplate/${fleetProvisioningTemplateName}` }],
    },
    {
      // Adopting claim-provisioned things into the registry (docs/adr/0002-claim-provisioned-devices.md),
      // every thing's attributes for the device list's attribute filter (thing-attributes.ts), and the
      // thing groups for pickers (routes/thing-groups.ts).
      actions: ['iot:ListThings', 'iot:ListThingGroups'],
      resources: [{ anyResource: true }],
      wildcardReason: 'ListThings and ListThingGroups support no resource type (Service Authorization Reference).',
    },
    {
      actions: ['iot:UpdateCertificate', 'iot:DeleteCertificate', 'iot:DescribeCertificate'],
      resources: [{ iot: 'cert/*' }],
      wildcardReason: `Certificates: ${runtimeNames}.`,
    },
    {
      // Every certificate the API issues is signed from a CSR (the device's, or one of a key the task
      // made for it), so no CreateKeysAndCertificate. CreateCertificateFromCsr has no resource type;
      // AttachPolicy's targets include Cognito identities, which are no IAM resource type either.
      actions: ['iot:CreateCertificateFromCsr', 'iot:AttachPolicy', 'iot:DetachPolicy'],
      resources: [{ anyResource: true }],
      wildcardReason:
        'CreateCertificateFromCsr supports no resource type; AttachPolicy/DetachPolicy target Cognito identities, which are no IAM resource type (Service Authorization Reference).',
    },
    {
      // Each user's own browser IoT policy, shaped by their device access (services/api live/browser-policies.ts):
      // created, rewritten as a new default version when a grant changes, old versions deleted (AWS keeps five).
      actions: ['iot:GetPolicy', 'iot:CreatePolicy', 'iot:CreatePolicyVersion', 'iot:DeletePolicyVersion', 'iot:ListPolicyVersions'],
      resources: [{ iot: `policy/${browserPolicyNameFor('*')}` }],
      wildcardReason: `One policy per user, named by the user's sub: ${runtimeNames}.`,
    },
    {
      // Configuration: the classic shadow of each device (deleted with the device at revocation).
      actions: ['iot:GetThingShadow', 'iot:UpdateThingShadow', 'iot:DeleteThingShadow'],
      resources: [{ iot: 'thing/*' }],
      wildcardReason: `Shadows: ${runtimeNames}.`,
    },
    {
      // Commands are AWS IoT jobs: CreateJob needs the job and each target (a thing or a thing group);
      // a device's history and its cancellation act on the thing and the job
      // (Service Authorization Reference for AWS IoT).
      actions: [
        'iot:CreateJob',
        'iot:DescribeJob',
        'iot:GetJobDocument',
        'iot:CancelJob',
        'iot:DescribeJobExecution',
        'iot:ListJobExecutionsForThing',
        'iot:CancelJobExecution',
        // A command to a group names the group's ARN.
        'iot:DescribeThingGroup',
      ],
      resources: [{ iot: 'job/*' }, { iot: 'thing/*' }, { iot: 'thinggroup/*' }],
      wildcardReason: `Jobs: command ids are made at run time; targets: ${runtimeNames} and thing groups made by operators.`,
    },
    {
      // Users' topic rules (routes/rules.ts): only rules named `user_*`, never the platform's `fleet_*`.
      actions: [
        'iot:CreateTopicRule',
        'iot:ReplaceTopicRule',
        'iot:GetTopicRule',
        'iot:DeleteTopicRule',
        'iot:EnableTopicRule',
        'iot:DisableTopicRule',
      ],
      resources: [{ iot: `rule/${awsRuleName('*')}` }],
      wildcardReason: "Users name their rules at run time; the grant is limited to the user_ prefix of users' rules.",
    },
    {
      // ListTopicRules and ListTopicRuleDestinations support no resource type (Service Authorization Reference).
      actions: ['iot:ListTopicRules', 'iot:ListTopicRuleDestinations'],
      resources: [{ anyResource: true }],
      wildcardReason: 'ListTopicRules and ListTopicRuleDestinations support no resource type (Service Authorization Reference).',
    },
    {
      // A webhook action needs a topic rule destination for its URL; its id is made by AWS. Its status
      // is read with ListTopicRuleDestinations (above): one call for every webhook of a listing.
      actions: ['iot:CreateTopicRuleDestination'],
      resources: [{ iot: 'ruledestination/*' }],
      wildcardReason: 'Topic rule destination ids are made by AWS at run time.',
    },
    {
      // A rule's sns and republish actions name the user-rules role; it may pass that role only.
      actions: ['iam:PassRole'],
      resources: [{ role: userRulesRole.id }],
      condition: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
    },
    {
      // Notification channels (routes/notification-channels.ts) are subscriptions of the alarm topic.
      actions: ['sns:Subscribe', 'sns:Unsubscribe', 'sns:ListSubscriptionsByTopic', 'sns:GetSubscriptionAttributes'],
      resources: [{ topic: alarmNotificationsTopic.id }],
    },
    {
      // Metric display settings (routes/metric-settings.ts): read whole (Scan), put and deleted one metric at a
      // time; DescribeTable for the readiness probe.
      actions: ['dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable'],
      resources: [{ table: metricSettingsTable.id }],
    },
    {
      // The overview's readings and rejects per minute (routes/overview.ts): the Data Service's EMF metrics.
      actions: ['cloudwatch:GetMetricData'],
      resources: [{ anyResource: true }],
      wildcardReason: 'GetMetricData supports no resource type and no condition key (Service Authorization Reference for CloudWatch).',
    },
    {
      // The device list's group filter reads a group's things; the bulk "add to group" adds them,
      // creating the group when missing (services/api/src/devices/bulk-actions.ts).
      // AddThingToThingGroup acts on the group and the thing (Service Authorization Reference).
      actions: ['iot:ListThingsInThingGroup', 'iot:AddThingToThingGroup', 'iot:CreateThingGroup'],
      resources: [{ iot: 'thinggroup/*' }, { iot: 'thing/*' }],
      wildcardReason: `Thing groups are made by operators at run time; things: ${runtimeNames}.`,
    },
  ],
  data: [
    // DescribeTable on each table: the readiness probe (/data/health, services/data/src/dependency-probes.ts).
    // The device state (latest values and presence, both UpdateItem with a condition); the API
    // Service reads it through GET /data/device-states (one BatchGetItem per page of devices).
    // Scan: the silent-device sweep of noData alarms reads every device's last reading (services/data alarms/silence-sweep.ts).
    {
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem', 'dynamodb:Scan', 'dynamodb:DescribeTable'],
      resources: [{ table: latestTable.id }],
    },
    // User-defined alarms (services/data/src/alarms): definitions, each device's alarm state
    // (conditional Put/Update), events, outbox and feed markers; DeleteItem for the outbox and
    // deleted definitions. No TransactWriteItems: the write order makes transitions exactly-once.
    {
      actions: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:DescribeTable',
      ],
      resources: [{ table: alarmsTable.id }],
    },
    {
      // Every alarm event is published as an AlarmNotification; nothing else may be done with the topic.
      actions: ['sns:Publish'],
      resources: [{ topic: alarmNotificationsTopic.id }],
    },
    {
      // Alarm definitions of group scope: the thing groups of a device (cached for a minute).
      actions: ['iot:ListThingGroupsForThing'],
      resources: [{ iot: 'thing/*' }],
      wildcardReason: `Thing groups of a device: ${runtimeNames}.`,
    },
    {
      actions: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:DescribeTable',
      ],
      resources: [{ table: telemetryTable.id }],
    },
    {
      // Rollups (services/data rollups): each bucket rewritten whole from the level below (Put), read
      // back a period at a time (Query); imports and replays write many at once (BatchWriteItem), as
      // live ingest writes its fold marks, which a fold deletes (DeleteItem, on a token condition).
      actions: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:DescribeTable',
      ],
      resources: [{ table: rollupsTable.id }],
    },
    {
      // Retention settings and data jobs: conditional writes claim a job and move its lease.
      actions: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'dynamodb:DescribeTable',
      ],
      resources: [{ table: dataControlTable.id }],
    },
    {
      // Live readings of granted thing groups (services/data live/): which groups are granted to
      // users (the user pool's groups named thing-group:<group>) ...
      actions: ['cognito-idp:ListGroups'],
      resources: [{ userPool: true }],
    },
    {
      // ... and each stored reading of their devices re-published to the group's live topic.
      actions: ['iot:Publish'],
      resources: [{ iot: `topic/${topics.groupTelemetry('*', '*')}` }],
      wildcardReason: `Thing group names and device ids are chosen by users at run time: ${runtimeNames}.`,
    },
    {
      // Exports of a thing group, and the devices of granted groups for live readings: its devices.
      actions: ['iot:ListThingsInThingGroup'],
      resources: [{ iot: 'thinggroup/*' }],
      wildcardReason: `Thing group names are chosen by users at run time: ${runtimeNames}.`,
    },
    {
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:SendMessage'],
      resources: [{ queue: ingestQueue.id }],
    },
    {
      // Replay of the DLQ (dead-letter queue redrive, services/data queue-redrive.ts): its depth, and a
      // message move task back to the ingest queue. AWS requires ReceiveMessage, DeleteMessage and
      // GetQueueAttributes on the DLQ with the three move-task actions, and SendMessage on the
      // destination (granted above)
      // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
      actions: [
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:StartMessageMoveTask',
        'sqs:ListMessageMoveTasks',
        'sqs:CancelMessageMoveTask',
      ],
      resources: [{ queue: ingestQueue.deadLetter.id }],
    },
    {
      // Object keys are made at run time (hour partitions, uuids): only the prefixes can be named.
      actions: ['s3:PutObject', 's3:GetObject'],
      resources: ownedPrefixes.map((keys) => ({ bucket: telemetryBucket.id, keys })),
      wildcardReason:
        'Object keys are made at run time (hour partitions, uuids); the grant is limited to the four prefixes the service owns.',
    },
    {
      // Exports stream to S3 as multipart uploads (services/data data-jobs); a failed one is aborted.
      actions: ['s3:AbortMultipartUpload'],
      resources: [{ bucket: telemetryBucket.id, keys: `${prefixes.exports}*` }],
      wildcardReason: 'Export keys are made at run time (job ids); the grant is limited to the exports prefix.',
    },
    {
      // The archive retention is the bucket's lifecycle rule (data-life/retention.ts bucketLifecycleRules),
      // applied when an admin changes it and at start-up.
      actions: ['s3:GetLifecycleConfiguration', 's3:PutLifecycleConfiguration'],
      resources: [{ bucket: telemetryBucket.id }],
    },
    {
      // A replayed rule dead letter is deleted once it is back on the queue (services/data replay.ts).
      actions: ['s3:DeleteObject'],
      resources: [{ bucket: telemetryBucket.id, keys: `${prefixes.deadLetters}rules/*` }],
      wildcardReason: 'Dead-letter keys are made at run time; the grant is limited to the error-action dead letters.',
    },
    {
      actions: ['s3:ListBucket'],
      resources: [{ bucket: telemetryBucket.id }],
      condition: { StringLike: { 's3:prefix': ownedPrefixes } },
    },
  ],
};

/**
 * The identity pool's authenticated role: exactly what the browser's IoT policy allows, so that
 * neither widens the other (AWS requires both to allow an action:
 * https://docs.aws.amazon.com/iot/latest/developerguide/cog-iot-policies.html).
 */
export function browserRoleStatements(region: string, account: string): readonly IotPolicyStatement[] {
  // The union of every user's policy: every device's telemetry topic and every group's live topics.
  // Each user's own policy (browserPolicyNameFor) narrows it to their access.
  const everyGroup = browserPolicyDocument(region, account, { kind: 'groups', groups: ['*'] }).Statement;
  return browserPolicyDocument(region, account).Statement.map((statement, i) => ({
    ...statement,
    Resource: [...new Set([statement.Resource, everyGroup[i]?.Resource ?? []].flat())],
  }));
}

/** The ARNs one resource template stands for. */
export function renderResource(resource: ResourceTemplate, arns: ArnResolver): string[] {
  if ('table' in resource) {
    const arn = arns.tableArn(resource.table);
    const indexes = tables.find((t) => t.id === resource.table)?.globalSecondaryIndexes ?? [];
    return [arn, ...indexes.map((gsi) => `${arn}/index/${gsi.indexName}`)];
  }
  if ('queue' in resource) return [arns.queueArn(resource.queue)];
  if ('keys' in resource) return [`${arns.bucketArn(resource.bucket)}/${resource.keys}`];
  if ('bucket' in resource) return [arns.bucketArn(resource.bucket)];
  if ('userPool' in resource) return [arns.userPoolArn()];
  if ('topic' in resource) return [arns.topicArn(resource.topic)];
  if ('role' in resource) return [arns.roleArn(resource.role)];
  if ('iot' in resource) return [`arn:${arns.partition}:iot:${arns.region}:${arns.account}:${resource.iot}`];
  return ['*'];
}

/** A permission statement as IAM spells it, with this runtime's ARNs. */
export function renderStatement(statement: PermissionStatement, arns: ArnResolver): IamStatement {
  return {
    Effect: 'Allow',
    Action: [...statement.actions],
    Resource: statement.resources.flatMap((r) => renderResource(r, arns)),
    ...(statement.condition ? { Condition: statement.condition } : {}),
  };
}
