/**
 * The DynamoDBv2 action (https://docs.aws.amazon.com/iot/latest/developerguide/dynamodb-v2-rule-action.html):
 * PutItem of the SELECT output into `putItem.tableName`, each top-level field an attribute, through
 * the DynamoDB client (the local cloud's DynamoDB stand-in). An output that is not a JSON object
 * cannot be an item: the action fails and the error action runs.
 */
import { withVariables } from './template-options.ts';
import { PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { compileTemplate, type EvaluateOptions, type TopicRuleActionPayload } from '@fleet/core';
import { actionFailure } from './action-failure-message.ts';
import type { PreparedAction } from './rule-actions.ts';

export function prepareDynamoDbV2Action(
  action: NonNullable<TopicRuleActionPayload['dynamoDBv2']>,
  dynamodb: DynamoDBClient | undefined,
  opts: EvaluateOptions | undefined,
): PreparedAction {
  const tableName = compileTemplate(action.putItem.tableName);
  return {
    kind: 'dynamoDBv2',
    async run(message, output, variables) {
      const table = tableName.render(message, withVariables(opts, variables));
      try {
        if (!dynamodb) throw new Error('the rules engine has no DynamoDB client');
        if (output === null || typeof output !== 'object' || Array.isArray(output) || output instanceof Uint8Array) {
          throw new Error('the SELECT output is not a JSON object, so it cannot be an item');
        }
        await dynamodb.send(new PutItemCommand({ TableName: table, Item: toItem(output as Record<string, unknown>) }));
        return undefined;
      } catch (err) {
        return actionFailure('DynamoActionV2', table, 'put DynamoDB item', err, message, `Action: dynamoDBv2, Table: ${table}`);
      }
    },
  };
}

/** A JSON object as DynamoDB attributes: numbers N, strings S, booleans BOOL, null NULL, arrays L, objects M. */
export function toItem(document: Readonly<Record<string, unknown>>): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(document)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, toAttribute(v)]),
  );
}

function toAttribute(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toAttribute) };
  if (typeof value === 'object') return { M: toItem(value as Record<string, unknown>) };
  throw new Error(`a ${typeof value} cannot be a DynamoDB attribute`);
}
