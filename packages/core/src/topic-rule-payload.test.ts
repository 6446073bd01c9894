import { describe, expect, it } from 'vitest';
import { rules } from './rules.ts';
import {
  fromTopicRulePayload,
  sameTopicRulePayload,
  toTopicRuleAction,
  toTopicRulePayload,
  topicRuleActionKind,
  type TopicRuleSources,
  type TopicRuleTargets,
} from './topic-rule-payload.ts';

const targets: TopicRuleTargets = {
  queueUrl: (id) => `https://sqs.us-east-1.amazonaws.com/111111111111/${id}`,
  bucketName: (id) => `physical-${id}`,
  tableName: (id) => `table-${id}`,
  topicArn: (id) => `arn:aws:sns:us-east-1:111111111111:${id}`,
  roleArn: 'arn:aws:iam::111111111111:role/rules',
};
const strip = (prefix: string) => (name: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : undefined);
const sources: TopicRuleSources = {
  queueId: strip('https://sqs.us-east-1.amazonaws.com/111111111111/'),
  bucketId: strip('physical-'),
  tableId: strip('table-'),
  topicId: strip('arn:aws:sns:us-east-1:111111111111:'),
};

describe('TopicRulePayload conversion', () => {
  it("turns the platform's rules into enabled payloads with the runtime's names and role", () => {
    const [ingest] = rules;
    const payload = toTopicRulePayload(ingest!, targets);
    expect(payload).toMatchObject({ sql: ingest!.sql, awsIotSqlVersion: '2016-03-23', ruleDisabled: false });
    expect(payload.actions).toEqual([
      { sqs: { queueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/fleet-ingest', roleArn: targets.roleArn, useBase64: false } },
    ]);
    expect(payload.errorAction?.s3?.bucketName).toMatch(/^physical-/);
  });

  it('converts the new action kinds in AWS shapes', () => {
    expect(toTopicRuleAction({ kind: 'dynamoDBv2', tableId: 'readings' }, targets)).toEqual({
      dynamoDBv2: { roleArn: targets.roleArn, putItem: { tableName: 'table-readings' } },
    });
    expect(toTopicRuleAction({ kind: 'sns', topicId: 'alerts', messageFormat: 'JSON' }, targets)).toEqual({
      sns: { targetArn: 'arn:aws:sns:us-east-1:111111111111:alerts', roleArn: targets.roleArn, messageFormat: 'JSON' },
    });
    expect(toTopicRuleAction({ kind: 'http', url: 'https://h.example.com/x' }, targets)).toEqual({
      http: { url: 'https://h.example.com/x' },
    });
  });

  it('comes back to the same definitions from the payloads (to and from)', () => {
    for (const rule of rules) expect(fromTopicRulePayload(rule.name, toTopicRulePayload(rule, targets), sources)).toEqual(rule);
    const lambda = {
      ...toTopicRulePayload(rules[0]!, targets),
      actions: [{ lambda: { functionArn: 'arn:aws:lambda:us-east-1:1:function:f' } }],
    };
    expect(fromTopicRulePayload('r', lambda, sources)).toBeUndefined();
  });

  it('compares payloads whatever the order of their keys and absent members', () => {
    const payload = toTopicRulePayload(rules[0]!, targets);
    const reordered = Object.fromEntries(Object.entries(payload).reverse()) as unknown as typeof payload;
    expect(Object.keys(reordered)).not.toEqual(Object.keys(payload));
    expect(sameTopicRulePayload(payload, reordered)).toBe(true);
    const { description: _description, ...withoutDescription } = payload;
    expect(sameTopicRulePayload(withoutDescription, { ...withoutDescription, description: undefined })).toBe(true);
    expect(sameTopicRulePayload(payload, { ...payload, description: 'changed' })).toBe(false);
  });

  it('names the kind of an action only when it holds exactly one', () => {
    expect(topicRuleActionKind({ republish: { topic: 't', roleArn: targets.roleArn } })).toBe('republish');
    expect(topicRuleActionKind({})).toBeUndefined();
    expect(topicRuleActionKind({ republish: { topic: 't', roleArn: 'r' }, sqs: { queueUrl: 'q', roleArn: 'r' } })).toBeUndefined();
  });
});
