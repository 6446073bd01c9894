/**
 * dynalite's condition parses, remembered (condition-parse-memo.mjs): a remembered parse answers only
 * the same expression with the same names and values, and dynalite's checks (unused names and
 * values, syntax errors) answer as before. Through the AWS SDK against the in-process dynalite.
 */
import { createRequire } from 'node:module';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDynamo, type TestDynamo } from '../testing/in-process-aws.ts';
import { memoizeConditionParser } from './condition-parse-memo.mjs';

const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const parser = fromDynalite('./db/conditionParser') as { parse: (expression: string, options: { context: object }) => unknown };

describe('remembered condition parses', () => {
  let dynamo: TestDynamo;
  let client: DynamoDBDocumentClient;
  const table = tables[2].id;
  beforeAll(async () => {
    dynamo = await startTestDynamo();
    client = DynamoDBDocumentClient.from(dynamo.client);
  });
  afterAll(async () => dynamo.close());

  const update = (sk: string, names: Record<string, string>, values: Record<string, unknown>, condition: string, set = '#v = :v') =>
    client.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: 'memo', sk },
        UpdateExpression: `SET ${set}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#v': 'v', ...names },
        ExpressionAttributeValues: { ':v': 1, ...values },
      }),
    );

  it('is installed once, and gives the same tree for the same expression and names', () => {
    memoizeConditionParser(parser);
    const context = () => ({
      attrNames: { '#s': 'sealed' },
      attrVals: {},
      unusedAttrNames: {},
      unusedAttrVals: {},
      isReserved: () => false,
    });
    expect(parser.parse('attribute_not_exists(#s)', { context: context() })).toBe(
      parser.parse('attribute_not_exists(#s)', { context: context() }),
    );
  });

  it('resolves the names again: the same expression with #s naming another attribute is another condition', async () => {
    await update('a', { '#s': 'a' }, {}, 'attribute_not_exists(#s)', '#v = :v, #s = :v');
    await expect(update('a', { '#s': 'a' }, {}, 'attribute_not_exists(#s)')).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    await expect(update('a', { '#s': 'b' }, {}, 'attribute_not_exists(#s)')).resolves.toBeDefined();
    await expect(update('a', { '#s': 'a' }, {}, 'attribute_not_exists(#s)')).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
  });

  it('resolves the values again', async () => {
    await update('b', {}, { ':two': 2 }, 'attribute_not_exists(#v) OR #v < :two');
    await expect(update('b', {}, { ':two': 0 }, 'attribute_not_exists(#v) OR #v < :two')).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    await expect(update('b', {}, { ':two': 2 }, 'attribute_not_exists(#v) OR #v < :two')).resolves.toBeDefined();
  });

  it('still reports names and values no expression uses, and syntax errors, every time', async () => {
    for (let i = 0; i < 2; i++) {
      await expect(update('c', { '#s': 's', '#unused': 'u' }, {}, 'attribute_not_exists(#s)')).rejects.toThrow(/unused in expressions/);
      await expect(update('c', { '#s': 's' }, { ':unused': 1 }, 'attribute_not_exists(#s)')).rejects.toThrow(/unused in expressions/);
      await expect(update('c', { '#s': 's' }, {}, 'attribute_not_exists(#s')).rejects.toThrow(/Syntax error/);
    }
  });
});
