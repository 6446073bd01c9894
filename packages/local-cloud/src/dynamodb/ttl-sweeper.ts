/**
 * Deletes expired items of tables with TTL enabled, as DynamoDB does in the background
 * ("Using time to live (TTL) in DynamoDB", Developer Guide): an item expires when its TTL
 * attribute is a Number of epoch seconds in the past; items whose TTL is more than five years in
 * the past are left alone; the delete is conditional on the item still being expired, so an item
 * updated meanwhile survives. AWS takes up to a few days; the local cloud sweeps every minute.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Logger } from 'pino';
import type { TtlSettings } from './ttl-settings.ts';

const fiveYearsSeconds = 5 * 365 * 24 * 3600;

/** One pass over every TTL-enabled table; resolves with the number of items deleted. */
export async function sweepExpiredItems(deps: {
  client: DynamoDBClient;
  settings: TtlSettings;
  log?: Logger;
  now?: () => number;
}): Promise<number> {
  const { client, settings, log } = deps;
  const now = Math.floor((deps.now?.() ?? Date.now()) / 1000);
  let deleted = 0;
  for (const [table, attribute] of settings.entries()) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
      const keyNames = (Table?.KeySchema ?? []).map((k) => k.AttributeName ?? '');
      const names: Record<string, string> = { '#ttl': attribute };
      keyNames.forEach((name, i) => (names[`#k${i}`] = name));
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: table,
            FilterExpression: '#ttl BETWEEN :min AND :now',
            ProjectionExpression: keyNames.map((_, i) => `#k${i}`).join(', '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':min': { N: String(now - fiveYearsSeconds) }, ':now': { N: String(now) } },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const key of page.Items ?? []) {
          try {
            await client.send(
              new DeleteItemCommand({
                TableName: table,
                Key: key,
                ConditionExpression: '#ttl <= :now',
                ExpressionAttributeNames: { '#ttl': attribute },
                ExpressionAttributeValues: { ':now': { N: String(now) } },
              }),
            );
            deleted += 1;
          } catch (err) {
            if (!(err instanceof ConditionalCheckFailedException)) throw err;
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (err) {
      if (err instanceof ResourceNotFoundException) {
        await settings.set(table, undefined);
        continue;
      }
      log?.error({ err, table }, 'TTL sweep failed');
    }
  }
  if (deleted > 0) log?.info({ deleted }, 'expired items deleted (TTL)');
  return deleted;
}
