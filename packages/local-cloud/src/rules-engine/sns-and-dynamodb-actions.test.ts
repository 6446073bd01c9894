/**
 * The sns and dynamoDBv2 actions with fake senders: what they send for a SELECT output, and the
 * error action when they fail.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TopicRuleActionPayload } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { fakeClient, failsWith, message, setup } from '../testing/rules-engine-test-kit.ts';
import type { SnsPublishInput } from './sns-action.ts';

const roleArn = 'arn:aws:iam::000000000000:role/rules';
const errorAction: TopicRuleActionPayload = { republish: { topic: 'errors', roleArn } };
const sourceOf = (action: TopicRuleActionPayload) => ({
  revision: 1,
  rules: () => [
    {
      ruleName: 'r',
      payload: { sql: "SELECT temperature, topic(3) AS deviceId FROM 'fleet/devices/+/telemetry'", actions: [action], errorAction },
    },
  ],
});

describe('sns action', () => {
  it('publishes the SELECT output to the target, RAW as is and JSON as a message structure', async () => {
    const sent: SnsPublishInput[] = [];
    const targetArn = 'arn:aws:sns:us-east-1:000000000000:alerts';
    for (const messageFormat of ['RAW', 'JSON'] as const) {
      const t = setup(
        [],
        {},
        { rules: undefined, source: sourceOf({ sns: { targetArn, roleArn, messageFormat } }), snsPublish: async (i) => void sent.push(i) },
      );
      expect(await t.engine.handle(message({ temperature: 90 }))).toEqual({ durable: true });
    }
    expect(sent).toEqual([
      { targetArn, message: '{"temperature":90,"deviceId":"dev-1"}' },
      { targetArn, message: '{"temperature":90,"deviceId":"dev-1"}', messageStructure: 'json' },
    ]);
  });

  it('runs the error action when the publish fails', async () => {
    const t = setup(
      [],
      {},
      {
        rules: undefined,
        source: sourceOf({ sns: { targetArn: 'arn:aws:sns:us-east-1:000000000000:gone', roleArn } }),
        snsPublish: () => Promise.reject(new Error('NotFound: Topic does not exist')),
      },
    );
    expect(await t.engine.handle(message({ temperature: 1 }))).toEqual({ durable: true });
    const letter = JSON.parse(t.republished[0]?.payload ?? '{}') as { failures: { failedAction: string; errorMessage: string }[] };
    expect(t.republished[0]?.topic).toBe('errors');
    expect(letter.failures[0]).toMatchObject({ failedAction: 'SnsAction', errorMessage: expect.stringContaining('Topic does not exist') });
  });
});

describe('dynamoDBv2 action', () => {
  it('puts the SELECT output as an item, one attribute per field', async () => {
    const dynamodb = fakeClient();
    const t = setup(
      [],
      {},
      {
        rules: undefined,
        source: sourceOf({ dynamoDBv2: { roleArn, putItem: { tableName: 'readings' } } }),
        dynamodb: dynamodb.client as unknown as DynamoDBClient,
      },
    );
    expect(await t.engine.handle(message({ temperature: 21.5 }))).toEqual({ durable: true });
    expect(dynamodb.calls).toEqual([
      { command: 'PutItemCommand', input: { TableName: 'readings', Item: { temperature: { N: '21.5' }, deviceId: { S: 'dev-1' } } } },
    ]);
  });

  it('runs the error action when the put fails', async () => {
    const dynamodb = fakeClient(failsWith('ResourceNotFoundException: table readings'));
    const t = setup(
      [],
      {},
      {
        rules: undefined,
        source: sourceOf({ dynamoDBv2: { roleArn, putItem: { tableName: 'readings' } } }),
        dynamodb: dynamodb.client as unknown as DynamoDBClient,
      },
    );
    await t.engine.handle(message({ temperature: 1 }));
    expect(t.republished.map((r) => r.topic)).toEqual(['errors']);
    expect(t.republished[0]?.payload).toContain('DynamoActionV2');
  });
});
