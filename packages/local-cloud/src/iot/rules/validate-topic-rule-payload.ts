/**
 * Checks a `TopicRulePayload` the way CreateTopicRule / ReplaceTopicRule do before storing it:
 * the SQL parses (`SqlParseException` with the position and reason), at most 10 actions, each
 * holding exactly one action the local rules engine runs with its required members, a well-formed
 * `roleArn` where AWS requires one (locally the action runs as the local cloud: the role is not
 * assumed), substitution templates that parse. `lambda` is refused, not accepted and dropped: the
 * local cloud has no Lambda runtime.
 */
import {
  compileRule,
  IotSqlError,
  sqlParseMessage,
  sqlVersions,
  topicRuleSqlVersion,
  compileTemplate,
  maxActionsPerTopicRule,
  type TopicRuleActionKind,
  type TopicRuleActionPayload,
  type TopicRulePayload,
} from '@fleet/core';
import { AwsError } from '../../aws-endpoint/index.ts';

const invalid = (message: string) => new AwsError('InvalidRequestException', message, 400);

/** Kinds AWS IoT knows that the local engine does not run (refused by name rather than ignored). */
const otherAwsKinds = [
  'dynamoDB',
  'kinesis',
  'firehose',
  'elasticsearch',
  'salesforce',
  'iotAnalytics',
  'iotEvents',
  'iotSiteWise',
  'stepFunctions',
  'timestream',
  'kafka',
  'openSearch',
  'location',
  'influxDB',
];
/** IAM role ARN (IAM API reference: role paths and names). */
/** An IAM role ARN, as a rule action's (or a provisioning template's) `roleArn`. */
export const roleArnPattern = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function requiredString(fields: Fields, name: string, where: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value === '') throw invalid(`${where}.${name} is required (a non-empty string)`);
  return value;
}

function template(fields: Fields, name: string, where: string): void {
  const value = fields[name];
  if (typeof value !== 'string') return;
  try {
    compileTemplate(value);
  } catch (err) {
    throw invalid(`${where}.${name} is not a valid substitution template: ${(err as Error).message}`);
  }
}

function roleArn(fields: Fields, where: string): void {
  const arn = requiredString(fields, 'roleArn', where);
  if (!roleArnPattern.test(arn)) throw invalid(`${where}.roleArn "${arn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
}

function checkAction(raw: unknown, where: string): TopicRuleActionPayload {
  if (!isObject(raw)) throw invalid(`${where} must be an object naming one action`);
  const kinds = Object.keys(raw).filter((k) => raw[k] !== undefined && raw[k] !== null);
  if (kinds.length !== 1) throw invalid(`${where} must hold exactly one action, found ${kinds.length} (${kinds.join(', ')})`);
  const kind = kinds[0] as string;
  const at = `${where}.${kind}`;
  const body = raw[kind];
  if (kind === 'lambda') {
    throw invalid(
      `${at}: the local cloud has no Lambda runtime, so a lambda action would never run; use republish, sqs, http or another action it runs`,
    );
  }
  if (otherAwsKinds.includes(kind)) throw invalid(`${at}: the local cloud's rules engine does not run this action`);
  if (!isObject(body)) throw invalid(`${at} must be an object`);
  switch (kind as TopicRuleActionKind) {
    case 'sqs':
      requiredString(body, 'queueUrl', at);
      roleArn(body, at);
      break;
    case 'republish': {
      requiredString(body, 'topic', at);
      template(body, 'topic', at);
      roleArn(body, at);
      if (body.qos !== undefined && body.qos !== 0 && body.qos !== 1) throw invalid(`${at}.qos must be 0 or 1`);
      break;
    }
    case 's3':
      requiredString(body, 'bucketName', at);
      requiredString(body, 'key', at);
      template(body, 'key', at);
      roleArn(body, at);
      break;
    case 'cloudwatchMetric':
      for (const name of ['metricNamespace', 'metricName', 'metricValue', 'metricUnit']) {
        requiredString(body, name, at);
        template(body, name, at);
      }
      template(body, 'metricTimestamp', at);
      roleArn(body, at);
      break;
    case 'cloudwatchAlarm': {
      for (const name of ['alarmName', 'stateReason', 'stateValue']) requiredString(body, name, at);
      template(body, 'alarmName', at);
      template(body, 'stateReason', at);
      roleArn(body, at);
      break;
    }
    case 'cloudwatchLogs':
      requiredString(body, 'logGroupName', at);
      template(body, 'logGroupName', at);
      roleArn(body, at);
      break;
    case 'http': {
      const url = requiredString(body, 'url', at);
      template(body, 'url', at);
      checkHttpUrl(url, `${at}.url`);
      if (body.confirmationUrl !== undefined) {
        const confirmationUrl = requiredString(body, 'confirmationUrl', at);
        checkHttpUrl(confirmationUrl, `${at}.confirmationUrl`);
        if (!url.startsWith(confirmationUrl)) throw invalid(`${at}.url must start with its confirmationUrl "${confirmationUrl}"`);
      }
      const headers = body.headers;
      if (headers !== undefined) {
        if (!Array.isArray(headers)) throw invalid(`${at}.headers must be a list of { key, value }`);
        headers.forEach((h: unknown, i) => {
          if (!isObject(h)) throw invalid(`${at}.headers[${i}] must be { key, value }`);
          requiredString(h, 'key', `${at}.headers[${i}]`);
          requiredString(h, 'value', `${at}.headers[${i}]`);
          template(h, 'value', `${at}.headers[${i}]`);
        });
      }
      break;
    }
    case 'dynamoDBv2': {
      roleArn(body, at);
      const putItem = body.putItem;
      if (!isObject(putItem)) throw invalid(`${at}.putItem is required ({ tableName })`);
      requiredString(putItem, 'tableName', `${at}.putItem`);
      template(putItem, 'tableName', `${at}.putItem`);
      break;
    }
    case 'sns': {
      const target = requiredString(body, 'targetArn', at);
      if (!target.startsWith('arn:')) throw invalid(`${at}.targetArn "${target}" is not an SNS topic ARN`);
      roleArn(body, at);
      if (body.messageFormat !== undefined && body.messageFormat !== 'RAW' && body.messageFormat !== 'JSON') {
        throw invalid(`${at}.messageFormat must be RAW or JSON, received ${JSON.stringify(body.messageFormat)}`);
      }
      break;
    }
    default:
      throw invalid(`${where} names an unknown action "${kind}"`);
  }
  return raw;
}

/** AWS requires HTTPS; the local cloud also takes http:// (a local endpoint has no public certificate). */
function checkHttpUrl(url: string, where: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/\$\{[^}]*\}/g, 'x'));
  } catch {
    throw invalid(`${where} "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalid(`${where} "${url}" must be an https (or local http) URL`);
}

/** @throws AwsError (`SqlParseException`, `InvalidRequestException`) naming what is wrong. */
export function validateTopicRulePayload(ruleName: string, raw: unknown): TopicRulePayload {
  if (!isObject(raw)) throw invalid('topicRulePayload is required (a JSON object)');
  const sql = requiredString(raw, 'sql', 'topicRulePayload');
  if (raw.awsIotSqlVersion !== undefined && !(sqlVersions as readonly unknown[]).includes(raw.awsIotSqlVersion)) {
    throw invalid(`topicRulePayload.awsIotSqlVersion must be one of ${sqlVersions.join(', ')}`);
  }
  if (raw.description !== undefined && typeof raw.description !== 'string') throw invalid('topicRulePayload.description must be a string');
  if (raw.ruleDisabled !== undefined && typeof raw.ruleDisabled !== 'boolean')
    throw invalid('topicRulePayload.ruleDisabled must be a boolean');
  try {
    compileRule(sql, { awsIotSqlVersion: topicRuleSqlVersion(raw), ruleName });
  } catch (err) {
    if (!(err instanceof IotSqlError)) throw err;
    throw new AwsError('SqlParseException', sqlParseMessage(err), 400);
  }
  const actions = raw.actions ?? [];
  if (!Array.isArray(actions)) throw invalid('topicRulePayload.actions must be a list');
  if (actions.length > maxActionsPerTopicRule) {
    throw invalid(`topicRulePayload.actions holds ${actions.length} actions; a rule has at most ${maxActionsPerTopicRule}`);
  }
  actions.forEach((a, i) => checkAction(a, `actions[${i}]`));
  if (raw.errorAction !== undefined) checkAction(raw.errorAction, 'errorAction');
  return {
    sql,
    actions: actions as TopicRuleActionPayload[],
    ...(raw.description === undefined ? {} : { description: raw.description }),
    ...(raw.errorAction === undefined ? {} : { errorAction: raw.errorAction as TopicRuleActionPayload }),
    ruleDisabled: raw.ruleDisabled === true,
    ...(raw.awsIotSqlVersion === undefined ? {} : { awsIotSqlVersion: raw.awsIotSqlVersion as string }),
  };
}
