/**
 * Turns a shared `RuleAction` (logical targets) into an `AWS::IoT::TopicRule` action (ARNs, URLs)
 * plus the IAM statements the rule's role needs for exactly that action. Action shapes follow
 * https://docs.aws.amazon.com/iot/latest/developerguide/iot-rule-actions.html
 */
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { CfnTopicRule } from 'aws-cdk-lib/aws-iot';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { toTopicRuleAction, type RuleAction, type TopicRuleTargets } from '@fleet/core';

export interface RuleTargets {
  readonly queues: ReadonlyMap<string, sqs.IQueue>;
  readonly buckets: ReadonlyMap<string, s3.IBucket>;
  readonly logGroups: ReadonlyMap<string, logs.ILogGroup>;
  readonly alarms: ReadonlyMap<string, cloudwatch.IAlarm>;
  /** Tables a `dynamoDBv2` action may name, by logical id. @default none */
  readonly tables?: ReadonlyMap<string, dynamodb.ITable>;
  /** SNS topics an `sns` action may name, by logical id. @default none */
  readonly topics?: ReadonlyMap<string, sns.ITopic>;
  /** Role IoT assumes to run the action. */
  readonly roleArn: string;
  readonly region: string;
  readonly account: string;
}

export interface ResolvedRuleAction {
  readonly action: CfnTopicRule.ActionProperty;
  readonly statements: readonly iam.PolicyStatement[];
  /** Why a wildcard in `statements` cannot be avoided. */
  readonly wildcardReason?: string;
}

function lookUp<T>(kind: string, map: ReadonlyMap<string, T>, key: string): T {
  const found = map.get(key);
  if (found === undefined)
    throw new Error(`rule action names ${kind} "${key}", which this app does not define (have: ${[...map.keys()].join(', ')})`);
  return found;
}

/** The literal part of a substitution template before its first `${...}`. */
export function literalPrefix(template: string): string {
  const at = template.indexOf('${');
  return at === -1 ? template : template.slice(0, at);
}

/** The deployed names behind the logical targets, for core's `toTopicRuleAction`. */
function payloadTargets(t: RuleTargets): TopicRuleTargets {
  return {
    roleArn: t.roleArn,
    queueUrl: (id) => lookUp('queue', t.queues, id).queueUrl,
    bucketName: (id) => lookUp('bucket', t.buckets, id).bucketName,
    tableName: (id) => lookUp('table', t.tables ?? new Map<string, dynamodb.ITable>(), id).tableName,
    topicArn: (id) => lookUp('SNS topic', t.topics ?? new Map<string, sns.ITopic>(), id).topicArn,
    alarmName: (name) => lookUp('alarm', t.alarms, name).alarmName,
    logGroupName: (name) => lookUp('log group', t.logGroups, name).logGroupName,
  };
}

/** The action as core shapes it for both runtimes, and the statements its role needs for exactly that action. */
export function ruleActionsFor(action: RuleAction, t: RuleTargets): ResolvedRuleAction {
  return { action: toTopicRuleAction(action, payloadTargets(t)) as CfnTopicRule.ActionProperty, ...permissionsFor(action, t) };
}

function permissionsFor(action: RuleAction, t: RuleTargets): Omit<ResolvedRuleAction, 'action'> {
  switch (action.kind) {
    case 'sqs': {
      const queue = lookUp('queue', t.queues, action.queueId);
      return {
        statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] })],
      };
    }
    case 'cloudwatchMetric':
      return {
        // PutMetricData has no resource-level permission; the namespace condition is the narrowing AWS offers.
        statements: [
          new iam.PolicyStatement({
            actions: ['cloudwatch:PutMetricData'],
            resources: ['*'],
            conditions: { StringEquals: { 'cloudwatch:namespace': action.metricNamespace } },
          }),
        ],
        wildcardReason:
          'cloudwatch:PutMetricData supports no resource-level permission: AWS forces "*"; the role is limited to one namespace by condition.',
      };
    case 'cloudwatchAlarm': {
      const alarm = lookUp('alarm', t.alarms, action.alarmName);
      return {
        statements: [new iam.PolicyStatement({ actions: ['cloudwatch:SetAlarmState'], resources: [alarm.alarmArn] })],
      };
    }
    case 'cloudwatchLogs': {
      const logGroup = lookUp('log group', t.logGroups, action.logGroupName);
      return {
        // The log group's Arn attribute already covers its streams (it ends in ":*").
        statements: [
          new iam.PolicyStatement({
            actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
            resources: [logGroup.logGroupArn],
          }),
        ],
      };
    }
    case 'republish': {
      const prefix = literalPrefix(action.topic);
      const resource = `arn:aws:iot:${t.region}:${t.account}:topic/${prefix === action.topic ? prefix : `${prefix}*`}`;
      return {
        statements: [new iam.PolicyStatement({ actions: ['iot:Publish'], resources: [resource] })],
        wildcardReason: 'The republish topic is a substitution template evaluated per message; only its literal prefix is known.',
      };
    }
    case 's3': {
      const bucket = lookUp('bucket', t.buckets, action.bucketId);
      const prefix = literalPrefix(action.key);
      return {
        // Keys are made per message (${newuuid()}): only the literal prefix can be named.
        statements: [
          new iam.PolicyStatement({
            actions: ['s3:PutObject'],
            resources: [bucket.arnForObjects(prefix === action.key ? prefix : `${prefix}*`)],
          }),
        ],
        wildcardReason:
          'Object keys are substitution templates evaluated per message (time partition, uuid); the grant is limited to their literal prefix.',
      };
    }
    case 'http':
      // No role: AWS calls the URL itself, and only once its topic rule destination is confirmed
      // (the confirmation is answered by the endpoint's owner, outside the template).
      return { statements: [] };
    case 'dynamoDBv2': {
      const table = lookUp('table', t.tables ?? new Map<string, dynamodb.ITable>(), action.tableId);
      return {
        statements: [new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [table.tableArn] })],
      };
    }
    case 'sns': {
      const topic = lookUp('SNS topic', t.topics ?? new Map<string, sns.ITopic>(), action.topicId);
      return {
        statements: [new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] })],
      };
    }
  }
}
