/**
 * AWS IoT's `TopicRulePayload` (CreateTopicRule / ReplaceTopicRule, and `AWS::IoT::TopicRule`'s
 * `TopicRulePayload` property): the shape the local cloud's control plane stores and its rules
 * engine runs, and the conversion of the platform's own `RuleDefinition`s (logical targets) into it,
 * used by the launcher (CreateTopicRule at provisioning, as CDK deploys them).
 * Shapes: https://docs.aws.amazon.com/iot/latest/apireference/API_TopicRulePayload.html
 */
import type { SqlVersion } from './iot-sql/index.ts';
import type { RuleAction, RuleDefinition } from './rules.ts';

export interface TopicRuleHttpHeader {
  readonly key: string;
  /** Substitution template. */
  readonly value: string;
}

/**
 * One action as AWS IoT names it: exactly one member is set. The members are the ones the local
 * rules engine runs, plus `lambda`, which the local cloud refuses (it has no Lambda runtime).
 */
export interface TopicRuleActionPayload {
  readonly sqs?: { readonly queueUrl: string; readonly roleArn: string; readonly useBase64?: boolean };
  readonly republish?: { readonly topic: string; readonly roleArn: string; readonly qos?: number };
  readonly s3?: { readonly bucketName: string; readonly key: string; readonly roleArn: string; readonly cannedAcl?: string };
  readonly cloudwatchMetric?: {
    readonly metricNamespace: string;
    readonly metricName: string;
    readonly metricValue: string;
    readonly metricUnit: string;
    readonly metricTimestamp?: string;
    readonly roleArn: string;
  };
  readonly cloudwatchAlarm?: {
    readonly alarmName: string;
    readonly stateValue: string;
    readonly stateReason: string;
    readonly roleArn: string;
  };
  readonly cloudwatchLogs?: { readonly logGroupName: string; readonly roleArn: string; readonly batchMode?: boolean };
  readonly http?: {
    readonly url: string;
    readonly confirmationUrl?: string;
    readonly headers?: readonly TopicRuleHttpHeader[];
  };
  readonly dynamoDBv2?: { readonly roleArn: string; readonly putItem: { readonly tableName: string } };
  readonly sns?: { readonly targetArn: string; readonly roleArn: string; readonly messageFormat?: 'RAW' | 'JSON' };
  readonly lambda?: { readonly functionArn: string };
}

/** The action kinds a `TopicRuleActionPayload` may hold. */
export type TopicRuleActionKind = keyof TopicRuleActionPayload;

export interface TopicRulePayload {
  readonly sql: string;
  readonly description?: string;
  readonly actions: readonly TopicRuleActionPayload[];
  readonly errorAction?: TopicRuleActionPayload;
  readonly ruleDisabled?: boolean;
  readonly awsIotSqlVersion?: string;
}

/** AWS: rule names match `^[a-zA-Z0-9_]+$`, 1 to 128 characters (CreateTopicRule, URI request parameters). */
export const topicRuleNamePattern = /^[a-zA-Z0-9_]{1,128}$/;
/** AWS IoT Core quota: "Maximum number of actions per rule: 10". */
export const maxActionsPerTopicRule = 10;

/**
 * The SQL version a payload is evaluated with: AWS uses 2015-10-08 when `awsIotSqlVersion` is absent
 * ("If this property is not set, such as in an AWS CLI command or an CloudFormation template, 2015-10-08 is used").
 */
export const topicRuleSqlVersion = (payload: Pick<TopicRulePayload, 'awsIotSqlVersion'>): SqlVersion =>
  (payload.awsIotSqlVersion ?? '2015-10-08') as SqlVersion;

/** Where the logical targets of a `RuleAction` live in one runtime. */
export interface TopicRuleTargets {
  queueUrl(queueId: string): string;
  bucketName(bucketId: string): string;
  tableName(tableId: string): string;
  topicArn(topicId: string): string;
  /** A CloudWatch alarm's name as deployed. @default the name itself */
  alarmName?(name: string): string;
  /** A log group's name as deployed. @default the name itself */
  logGroupName?(name: string): string;
  /** The role AWS IoT assumes to run the actions. */
  readonly roleArn: string;
}

export function toTopicRuleAction(action: RuleAction, targets: TopicRuleTargets): TopicRuleActionPayload {
  const { roleArn } = targets;
  switch (action.kind) {
    case 'sqs':
      return { sqs: { queueUrl: targets.queueUrl(action.queueId), roleArn, useBase64: false } };
    case 'cloudwatchMetric':
      return {
        cloudwatchMetric: {
          metricNamespace: action.metricNamespace,
          metricName: action.metricName,
          metricValue: action.metricValue,
          metricUnit: action.metricUnit,
          roleArn,
        },
      };
    case 'cloudwatchAlarm':
      return {
        cloudwatchAlarm: {
          alarmName: targets.alarmName?.(action.alarmName) ?? action.alarmName,
          stateValue: action.stateValue,
          stateReason: action.stateReason,
          roleArn,
        },
      };
    case 'cloudwatchLogs':
      return { cloudwatchLogs: { logGroupName: targets.logGroupName?.(action.logGroupName) ?? action.logGroupName, roleArn } };
    case 'republish':
      return { republish: { topic: action.topic, qos: action.qos, roleArn } };
    case 's3':
      return { s3: { bucketName: targets.bucketName(action.bucketId), key: action.key, roleArn } };
    case 'http':
      return {
        http: {
          url: action.url,
          ...(action.confirmationUrl === undefined ? {} : { confirmationUrl: action.confirmationUrl }),
          ...(action.headers === undefined ? {} : { headers: action.headers }),
        },
      };
    case 'dynamoDBv2':
      return { dynamoDBv2: { roleArn, putItem: { tableName: targets.tableName(action.tableId) } } };
    case 'sns':
      return { sns: { targetArn: targets.topicArn(action.topicId), roleArn, messageFormat: action.messageFormat } };
  }
}

/** The `TopicRulePayload` CreateTopicRule takes for `rule` (enabled). */
export function toTopicRulePayload(rule: RuleDefinition, targets: TopicRuleTargets): TopicRulePayload {
  return {
    sql: rule.sql,
    description: rule.description,
    awsIotSqlVersion: rule.awsIotSqlVersion,
    ruleDisabled: false,
    actions: rule.actions.map((a) => toTopicRuleAction(a, targets)),
    errorAction: toTopicRuleAction(rule.errorAction, targets),
  };
}

/** Physical names → the logical ids of the platform's definitions (the way back of `TopicRuleTargets`). */
export interface TopicRuleSources {
  queueId(queueUrl: string): string | undefined;
  bucketId(bucketName: string): string | undefined;
  tableId(tableName: string): string | undefined;
  topicId(topicArn: string): string | undefined;
}

/**
 * The `RuleAction` a payload action stands for, or undefined when it names a resource the
 * platform does not define, or an action kind `RuleAction` has no counterpart for (lambda).
 */
export function fromTopicRuleAction(action: TopicRuleActionPayload, sources: TopicRuleSources): RuleAction | undefined {
  if (topicRuleActionKind(action) === undefined) return undefined;
  const { sqs, republish, s3, cloudwatchMetric: m, cloudwatchAlarm: a, cloudwatchLogs, http, dynamoDBv2, sns } = action;
  const known = <T>(id: string | undefined, make: (id: string) => T): T | undefined => (id === undefined ? undefined : make(id));
  if (sqs) return known(sources.queueId(sqs.queueUrl), (queueId) => ({ kind: 'sqs', queueId }));
  if (republish) return { kind: 'republish', topic: republish.topic, qos: republish.qos === 1 ? 1 : 0 };
  if (s3) return known(sources.bucketId(s3.bucketName), (bucketId) => ({ kind: 's3', bucketId, key: s3.key }));
  if (m) {
    return {
      kind: 'cloudwatchMetric',
      metricNamespace: m.metricNamespace,
      metricName: m.metricName,
      metricValue: m.metricValue,
      metricUnit: m.metricUnit,
    };
  }
  if (a) {
    const stateValue = (['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const).find((v) => v === a.stateValue);
    return stateValue === undefined
      ? undefined
      : { kind: 'cloudwatchAlarm', alarmName: a.alarmName, stateValue, stateReason: a.stateReason };
  }
  if (cloudwatchLogs) return { kind: 'cloudwatchLogs', logGroupName: cloudwatchLogs.logGroupName };
  if (http) {
    return {
      kind: 'http',
      url: http.url,
      ...(http.confirmationUrl === undefined ? {} : { confirmationUrl: http.confirmationUrl }),
      ...(http.headers === undefined ? {} : { headers: http.headers }),
    };
  }
  if (dynamoDBv2) return known(sources.tableId(dynamoDBv2.putItem.tableName), (tableId) => ({ kind: 'dynamoDBv2', tableId }));
  if (sns) return known(sources.topicId(sns.targetArn), (topicId) => ({ kind: 'sns', topicId, messageFormat: sns.messageFormat ?? 'RAW' }));
  // lambda: the platform's rules have no counterpart.
  return undefined;
}

/**
 * The `RuleDefinition` a stored rule stands for (GetTopicRule's answer), or undefined when one of its
 * actions has no `RuleAction` counterpart or it has no error action (the platform's rules always have one).
 */
export function fromTopicRulePayload(ruleName: string, payload: TopicRulePayload, sources: TopicRuleSources): RuleDefinition | undefined {
  const actions = payload.actions.map((a) => fromTopicRuleAction(a, sources));
  const errorAction = payload.errorAction === undefined ? undefined : fromTopicRuleAction(payload.errorAction, sources);
  if (errorAction === undefined || actions.some((a) => a === undefined) || payload.awsIotSqlVersion !== '2016-03-23') return undefined;
  return {
    name: ruleName,
    description: payload.description ?? '',
    sql: payload.sql,
    awsIotSqlVersion: '2016-03-23',
    actions: actions as RuleAction[],
    errorAction,
  };
}

/** The one kind an action payload holds, or undefined when it holds none or several. */
export function topicRuleActionKind(action: TopicRuleActionPayload): TopicRuleActionKind | undefined {
  const kinds = Object.keys(action).filter((k) => (action as Record<string, unknown>)[k] !== undefined);
  return kinds.length === 1 ? (kinds[0] as TopicRuleActionKind) : undefined;
}

/**
 * True when two payloads describe the same rule (what GetTopicRule answers against what a
 * definition converts to): the launcher replaces a platform rule only when its definition changed.
 */
export function sameTopicRulePayload(a: TopicRulePayload, b: TopicRulePayload): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
