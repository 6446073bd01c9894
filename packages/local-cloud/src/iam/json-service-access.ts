/**
 * IAM actions and resources of the AWS JSON-protocol services the local cloud serves
 * (Service Authorization Reference: DynamoDB, SQS, Cognito user pools and identity pools,
 * CloudWatch, CloudWatch Logs). The action is `<prefix>:<Operation>`, except where AWS
 * authorizes an operation as another action (SQS batches, DynamoDB transactions).
 */
import type { AwsRequest } from '../aws-endpoint/aws-request.ts';
import { moveTaskSourceArn } from '../sqs/sqs-move-tasks.ts';
import { jsonObjectBody, stringField, type AccessCheck } from './access-check.ts';
import type { LocalArns } from './local-arns.ts';

const actionPrefix: Readonly<Record<string, string>> = {
  dynamodb: 'dynamodb',
  sqs: 'sqs',
  'cognito-idp': 'cognito-idp',
  'cognito-identity': 'cognito-identity',
  monitoring: 'cloudwatch',
  logs: 'logs',
};

/** SQS authorizes a batch as the single-message action (SQS Developer Guide, "Amazon SQS API permissions"). */
const sqsBatchActions: Readonly<Record<string, string>> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/**
 * The message move tasks (DLQ redrive) name no QueueUrl: they act on the source (dead-letter) queue
 * of `SourceArn` (or of the task handle), and AWS requires ReceiveMessage, DeleteMessage and
 * GetQueueAttributes there with the operation's own action, and SendMessage on a named destination
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
 */
const sqsMoveTaskOperations: Readonly<Record<string, true>> = {
  StartMessageMoveTask: true,
  ListMessageMoveTasks: true,
  CancelMessageMoveTask: true,
};

function sqsMoveTaskAccess(operation: string, input: Record<string, unknown>): AccessCheck[] {
  const handle = stringField(input, 'TaskHandle');
  const source =
    operation === 'CancelMessageMoveTask'
      ? handle === undefined
        ? undefined
        : moveTaskSourceArn(handle)
      : stringField(input, 'SourceArn');
  const onSource = [operation, 'ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'].map((action) => ({
    action: `sqs:${action}`,
    resource: source ?? '*',
  }));
  const destination = operation === 'StartMessageMoveTask' ? stringField(input, 'DestinationArn') : undefined;
  return destination === undefined ? onSource : [...onSource, { action: 'sqs:SendMessage', resource: destination }];
}

/** DynamoDB authorizes each item of a transaction as its item action. */
const transactItemActions: Readonly<Record<string, string>> = {
  ConditionCheck: 'ConditionCheckItem',
  Put: 'PutItem',
  Delete: 'DeleteItem',
  Update: 'UpdateItem',
  Get: 'GetItem',
};

export function jsonServiceAccess(req: AwsRequest, arns: LocalArns): AccessCheck[] {
  const prefix = actionPrefix[req.service] ?? req.service;
  const operation = req.operation ?? '';
  const input = jsonObjectBody(req);
  const single = (action: string, resource: string): AccessCheck[] => [{ action: `${prefix}:${action}`, resource }];
  switch (req.service) {
    case 'dynamodb':
      return dynamodbAccess(operation, input, arns);
    case 'sqs': {
      if (operation in sqsMoveTaskOperations) return sqsMoveTaskAccess(operation, input);
      const url = stringField(input, 'QueueUrl');
      const name = url !== undefined ? url.slice(url.lastIndexOf('/') + 1) : stringField(input, 'QueueName');
      return single(sqsBatchActions[operation] ?? operation, name === undefined ? '*' : arns.queue(name));
    }
    case 'cognito-idp': {
      const pool = stringField(input, 'UserPoolId');
      return single(operation, pool === undefined ? '*' : arns.userPool(pool));
    }
    case 'cognito-identity': {
      const pool = stringField(input, 'IdentityPoolId');
      return single(operation, pool === undefined ? '*' : arns.identityPool(pool));
    }
    case 'monitoring': {
      const alarm = stringField(input, 'AlarmName');
      const alarms = Array.isArray(input.AlarmNames) ? input.AlarmNames.filter((a): a is string => typeof a === 'string') : [];
      const names = alarm !== undefined ? [alarm] : alarms;
      if (names.length === 0) return single(operation, '*');
      return names.map((name) => ({ action: `${prefix}:${operation}`, resource: arns.alarm(name) }));
    }
    case 'logs': {
      const group = stringField(input, 'logGroupName');
      return single(operation, group === undefined ? '*' : arns.logGroup(group));
    }
    default:
      return single(operation, '*');
  }
}

function dynamodbAccess(operation: string, input: Record<string, unknown>, arns: LocalArns): AccessCheck[] {
  const action = (name: string) => `dynamodb:${name}`;
  const tableResource = (table: string | undefined, index?: string) =>
    table === undefined ? `${arns.table('')}` : index === undefined ? arns.table(table) : `${arns.table(table)}/index/${index}`;
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const items = objectField(input, 'RequestItems');
      const names = Object.keys(items);
      if (names.length === 0) return [{ action: action(operation), resource: tableResource(undefined) }];
      return names.map((table) => ({ action: action(operation), resource: tableResource(table) }));
    }
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const entries = Array.isArray(input.TransactItems) ? input.TransactItems : [];
      const checks = entries.flatMap((entry: unknown) =>
        Object.entries(objectValue(entry)).flatMap(([kind, item]) => {
          const itemAction = transactItemActions[kind];
          return itemAction ? [{ action: action(itemAction), resource: tableResource(stringField(objectValue(item), 'TableName')) }] : [];
        }),
      );
      return checks.length > 0 ? checks : [{ action: action(operation), resource: tableResource(undefined) }];
    }
    case 'ListTables':
      return [{ action: action(operation), resource: '*' }];
    case 'TagResource':
    case 'UntagResource':
    case 'ListTagsOfResource':
      return [{ action: action(operation), resource: stringField(input, 'ResourceArn') ?? tableResource(undefined) }];
    default:
      return [{ action: action(operation), resource: tableResource(stringField(input, 'TableName'), stringField(input, 'IndexName')) }];
  }
}

const objectValue = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const objectField = (input: Record<string, unknown>, name: string) => (Object.hasOwn(input, name) ? objectValue(input[name]) : {});
