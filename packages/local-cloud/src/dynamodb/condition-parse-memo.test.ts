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

  it('is installed once, and gives the same tree for the same expression and names (no values)', () => {
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

  it("puts in each request its own values: a remembered condition compares against this request's", async () => {
    const latest = 'attribute_not_exists(#v) OR #v < :v OR (#v = :v AND #q < :q)';
    const write = (v: number, q: number) =>
      update('b', { '#q': 'q' }, { ':v': v, ':q': q }, latest, '#v = :v, #q = :q').then(
        () => 'written',
        (err: Error) => err.name,
      );
    expect(await write(5, 1)).toBe('written');
    expect(await write(4, 9)).toBe('ConditionalCheckFailedException');
    expect(await write(5, 1)).toBe('ConditionalCheckFailedException');
    expect(await write(5, 2)).toBe('written');
    expect(await write(6, 0)).toBe('written');
  });

  it('checks the value types again (begins_with) and, in BETWEEN, the values', async () => {
    await update('t', { '#w': 'w' }, { ':w': 'abc' }, 'attribute_not_exists(#w)', '#v = :v, #w = :w');
    await expect(update('t', { '#w': 'w' }, { ':p': 'ab' }, 'begins_with(#w, :p)')).resolves.toBeDefined();
    await expect(update('t', { '#w': 'w' }, { ':p': 12 }, 'begins_with(#w, :p)')).rejects.toThrow(/Incorrect operand type/);
    await expect(update('t', {}, { ':lo': 0, ':hi': 5 }, '#v BETWEEN :lo AND :hi')).resolves.toBeDefined();
    await expect(update('t', {}, { ':lo': 5, ':hi': 0 }, '#v BETWEEN :lo AND :hi')).rejects.toThrow(/upper bound to be greater/);
    await expect(update('t', {}, { ':lo': 2, ':hi': 5 }, '#v BETWEEN :lo AND :hi')).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
  });

  it('still reports names and values no expression uses, and syntax errors, every time', async () => {
    for (let i = 0; i < 2; i++) {
      await expect(update('c', { '#s': 's', '#unused': 'u' }, {}, 'attribute_not_exists(#s)')).rejects.toThrow(/unused in expressions/);
      await expect(update('c', { '#s': 's' }, { ':unused': 1 }, 'attribute_not_exists(#s)')).rejects.toThrow(/unused in expressions/);
      await expect(update('c', { '#s': 's' }, {}, 'attribute_not_exists(#s')).rejects.toThrow(/Syntax error/);
    }
  });
});
