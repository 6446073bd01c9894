/**
 * Test kit of the rules engine's tests: fake SDK clients that record every command, a rule with an
 * S3 error action, and an engine wired to them.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { IotMessage, RuleAction, RuleDefinition } from '@fleet/core';
import { pino } from 'pino';
import { createRulesEngine, type RulesEngineDeps } from '../rules-engine/rules-engine.ts';

export interface Call {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/** A stand-in SDK client that records every command and answers with `respond` (throw to fail). */
export function fakeClient(respond: (call: Call) => unknown = () => ({})) {
  const calls: Call[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const call = { command: command.constructor.name, input: command.input };
      calls.push(call);
      return respond(call);
    },
  };
  return { calls, client };
}

export const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
export const message = (payload: unknown, topic = 'fleet/devices/dev-1/telemetry'): IotMessage => ({
  topic,
  payload: typeof payload === 'string' ? new TextEncoder().encode(payload) : new TextEncoder().encode(JSON.stringify(payload)),
  clientId: 'dev-1',
  timestamp: at,
});

export const errorAction: RuleAction = {
  kind: 's3',
  bucketId: 'bucket-id',
  key: 'dead/${parse_time("yyyy/MM/dd/HH", timestamp())}/${newuuid()}.json',
};
export const rule = (
  actions: readonly RuleAction[],
  sql = "SELECT temperature, topic(3) AS deviceId FROM 'fleet/devices/+/telemetry'",
): RuleDefinition => ({
  name: 'test_rule',
  description: 'test',
  sql,
  awsIotSqlVersion: '2016-03-23',
  actions,
  errorAction,
});

export function setup(
  rules: readonly RuleDefinition[],
  overrides: Partial<Record<'sqs' | 'cloudwatch' | 'logs' | 's3', (call: Call) => unknown>> = {},
  extra: Partial<RulesEngineDeps> = {},
) {
  const sqs = fakeClient(overrides.sqs);
  const cloudwatch = fakeClient(overrides.cloudwatch);
  const logs = fakeClient(overrides.logs);
  const s3 = fakeClient(overrides.s3);
  const republished: { topic: string; payload: string; qos: 0 | 1 }[] = [];
  let uuid = 0;
  const engine = createRulesEngine({
    rules,
    resolve: { queueUrl: (id) => `http://localhost/000000000000/${id}`, bucketName: (id) => `physical-${id}` },
    sqs: sqs.client as unknown as SQSClient,
    cloudwatch: cloudwatch.client as unknown as CloudWatchClient,
    logs: logs.client as unknown as CloudWatchLogsClient,
    s3: s3.client as unknown as S3Client,
    republish: (topic, payload, qos) => {
      republished.push({ topic, payload: payload.toString('utf8'), qos });
    },
    log: pino({ level: 'silent' }),
    evaluateOptions: { newUuid: () => `uuid-${++uuid}` },
    // One SendMessage per message keeps these assertions simple; batching has its own tests.
    sqsBatches: false,
    ...extra,
  });
  return { engine, sqs: sqs.calls, cloudwatch: cloudwatch.calls, logs: logs.calls, s3: s3.calls, republished };
}

/** A fake client's answer that fails every call with `message`, as a service that is down does. */
export const failsWith = (message: string) => (): never => {
  throw new Error(message);
};

/** A promise the test resolves by hand. */
export const openableGate = () => Promise.withResolvers<void>();

export const bodyOf = (call: Call | undefined) => JSON.parse(new TextDecoder().decode(call?.input.Body as Uint8Array)) as unknown;
