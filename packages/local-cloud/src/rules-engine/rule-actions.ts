/**
 * Rule actions, each calling the AWS API its AWS IoT counterpart calls, through the injected SDK v3
 * client (so the local cloud exercises the same wire protocol as AWS):
 * https://docs.aws.amazon.com/iot/latest/developerguide/iot-rule-actions.html
 */
import {
  PutMetricDataCommand,
  SetAlarmStateCommand,
  type CloudWatchClient,
  type StandardUnit,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { withVariables } from './template-options.ts';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  compileTemplate,
  outputToBytes,
  outputToText,
  topicRuleActionKind,
  type EvaluateOptions,
  type SqlValue,
  type IotMessage,
  type TopicRuleActionKind,
  type TopicRuleActionPayload,
} from '@fleet/core';
import { type ActionFailure } from './action-failure.ts';
import { actionFailure as failure } from './action-failure-message.ts';
import { prepareDynamoDbV2Action } from './dynamodb-v2-action.ts';
import { prepareHttpAction, type HttpDestinations } from './http-action.ts';
import { prepareSnsAction, type SnsPublish } from './sns-action.ts';

export interface ActionClients {
  readonly sqs: SQSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly s3: S3Client;
  /** The dynamoDBv2 action's client; without it the action fails (and its error action runs). */
  readonly dynamodb?: DynamoDBClient;
  /** The sns action's sender (sns-action.ts); without it the action fails. */
  readonly snsPublish?: SnsPublish;
  /** The topic rule destinations the http action must find ENABLED. */
  readonly httpDestinations?: HttpDestinations;
  readonly republish: (topic: string, payload: Buffer, qos: 0 | 1) => Promise<void> | void;
  readonly evaluateOptions?: EvaluateOptions;
  /** Sends one SQS message; when absent, one SendMessage per message (see sqs-batcher.ts). */
  readonly sendToQueue?: (queueUrl: string, body: string) => Promise<void>;
}

/** One action of one rule, with its substitution templates compiled once. */
export interface PreparedAction {
  readonly kind: TopicRuleActionKind;
  /**
   * Runs the action with the SELECT output and the SET clause's variables (its templates may read
   * `${@name}`); resolves to a failure description instead of throwing.
   */
  run(message: IotMessage, output: unknown, variables?: Readonly<Record<string, SqlValue>>): Promise<ActionFailure | undefined>;
}

/**
 * Compiles `payload` (an action as AWS IoT names it, validated by the control plane) for `ruleName`.
 * A `roleArn` is not assumed: locally every action runs as the local cloud.
 * @throws IotSqlError when one of its substitution templates does not parse; Error for an action the engine does not run.
 */
export function prepareAction(ruleName: string, payload: TopicRuleActionPayload, clients: ActionClients): PreparedAction {
  const opts = clients.evaluateOptions;
  const kind = topicRuleActionKind(payload);
  switch (kind) {
    case 'sqs': {
      const action = member(payload, 'sqs');
      const queueUrl = action.queueUrl;
      return {
        kind,
        async run(message, output) {
          try {
            // The SQS action sends the SELECT output (JSON) as the message body, base64-encoded with useBase64.
            const text = outputToText(output);
            const body = action.useBase64 === true ? Buffer.from(outputToBytes(output)).toString('base64') : text;
            if (clients.sendToQueue) await clients.sendToQueue(queueUrl, body);
            else await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
            return undefined;
          } catch (err) {
            return failure('SqsAction', queueUrl, 'send message to SQS queue', err, message, `Action: sqs, Queue: ${queueUrl}`);
          }
        },
      };
    }
    case 'cloudwatchMetric': {
      const action = member(payload, 'cloudwatchMetric');
      const [namespace, name, value, unit] = [action.metricNamespace, action.metricName, action.metricValue, action.metricUnit].map(
        compileTemplate,
      ) as [
        ReturnType<typeof compileTemplate>,
        ReturnType<typeof compileTemplate>,
        ReturnType<typeof compileTemplate>,
        ReturnType<typeof compileTemplate>,
      ];
      return {
        kind,
        async run(message, _output, variables) {
          const ns = namespace.render(message, withVariables(opts, variables));
          const metricName = name.render(message, withVariables(opts, variables));
          try {
            const text = value.render(message, withVariables(opts, variables));
            const metricValue = Number(text);
            if (text.trim() === '' || !Number.isFinite(metricValue))
              throw new Error(`metric value ${JSON.stringify(text)} is not a number`);
            // AWS's metricTimestamp is in seconds; without one, the action uses the message's time.
            const seconds = Math.floor(message.timestamp / 1000);
            await clients.cloudwatch.send(
              new PutMetricDataCommand({
                Namespace: ns,
                MetricData: [
                  {
                    MetricName: metricName,
                    Value: metricValue,
                    Unit: unit.render(message, withVariables(opts, variables)) as StandardUnit,
                    Timestamp: new Date(seconds * 1000),
                  },
                ],
              }),
            );
            return undefined;
          } catch (err) {
            return failure(
              'CloudwatchMetricAction',
              ns,
              'put CloudWatch metric',
              err,
              message,
              `Action: cloudwatchMetric, Namespace: ${ns}, MetricName: ${metricName}`,
            );
          }
        },
      };
    }
    case 'cloudwatchAlarm': {
      const action = member(payload, 'cloudwatchAlarm');
      const alarmName = compileTemplate(action.alarmName);
      const reason = compileTemplate(action.stateReason);
      return {
        kind,
        async run(message, _output, variables) {
          const name = alarmName.render(message, withVariables(opts, variables));
          try {
            await clients.cloudwatch.send(
              new SetAlarmStateCommand({
                AlarmName: name,
                StateValue: action.stateValue as StateValue,
                StateReason: reason.render(message, withVariables(opts, variables)),
              }),
            );
            return undefined;
          } catch (err) {
            return failure(
              'CloudwatchAlarmAction',
              name,
              'set CloudWatch alarm state',
              err,
              message,
              `Action: cloudwatchAlarm, Alarm: ${name}`,
            );
          }
        },
      };
    }
    case 'cloudwatchLogs': {
      const action = member(payload, 'cloudwatchLogs');
      const group = compileTemplate(action.logGroupName);
      return {
        kind,
        async run(message, output, variables) {
          const logGroupName = group.render(message, withVariables(opts, variables));
          // One stream per rule: AWS creates the streams it writes to (it needs logs:CreateLogStream).
          const logStreamName = ruleName;
          const put = () =>
            clients.logs.send(
              new PutLogEventsCommand({
                logGroupName,
                logStreamName,
                logEvents: [{ timestamp: message.timestamp, message: outputToText(output) }],
              }),
            );
          try {
            try {
              await put();
            } catch (err) {
              // First use of the group or stream: create what is missing, then retry once.
              if (!(err instanceof ResourceNotFoundException)) throw err;
              await ensureLogStream(clients.logs, logGroupName, logStreamName);
              await put();
            }
            return undefined;
          } catch (err) {
            return failure(
              'CloudwatchLogsAction',
              logGroupName,
              'put CloudWatch log events',
              err,
              message,
              `Action: cloudwatchLogs, LogGroup: ${logGroupName}`,
            );
          }
        },
      };
    }
    case 'republish': {
      const action = member(payload, 'republish');
      const qos: 0 | 1 = action.qos === 1 ? 1 : 0;
      const topic = compileTemplate(action.topic);
      return {
        kind,
        async run(message, output, variables) {
          const target = topic.render(message, withVariables(opts, variables));
          try {
            await clients.republish(target, Buffer.from(outputToBytes(output)), qos);
            return undefined;
          } catch (err) {
            return failure('RepublishAction', target, 'republish', err, message, `Action: republish, Topic: ${target}`);
          }
        },
      };
    }
    case 's3': {
      const action = member(payload, 's3');
      const bucket = action.bucketName;
      const key = compileTemplate(action.key);
      return {
        kind,
        async run(message, output, variables) {
          const objectKey = key.render(message, withVariables(opts, variables));
          try {
            await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: objectKey, Body: outputToBytes(output) }));
            return undefined;
          } catch (err) {
            return failure(
              'S3Action',
              bucket,
              'put S3 object',
              err,
              message,
              `Action: s3, Bucket: ${bucket}, Key: ${JSON.stringify(objectKey)}`,
            );
          }
        },
      };
    }
    case 'http':
      return prepareHttpAction(member(payload, 'http'), clients.httpDestinations, opts);
    case 'dynamoDBv2':
      return prepareDynamoDbV2Action(member(payload, 'dynamoDBv2'), clients.dynamodb, opts);
    case 'sns':
      return prepareSnsAction(member(payload, 'sns'), clients.snsPublish);
    case 'lambda':
    case undefined:
      throw new Error(`rule ${ruleName}: the local rules engine does not run the action ${JSON.stringify(payload)}`);
  }
}

/** The member `kind` names; `topicRuleActionKind` found it set. */
function member<K extends TopicRuleActionKind>(payload: TopicRuleActionPayload, kind: K): NonNullable<TopicRuleActionPayload[K]> {
  const value = payload[kind];
  if (value === undefined) throw new Error(`the action has no ${kind} member`);
  return value;
}

async function ensureLogStream(logs: CloudWatchLogsClient, logGroupName: string, logStreamName: string): Promise<void> {
  const ignoreExisting = (err: unknown) => {
    if (!(err instanceof ResourceAlreadyExistsException)) throw err;
  };
  await logs.send(new CreateLogGroupCommand({ logGroupName })).catch(ignoreExisting);
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName })).catch(ignoreExisting);
}
