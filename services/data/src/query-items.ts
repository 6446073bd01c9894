/**
 * Every item a Query matches, page by page (a page stops at 1 MB:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html), each
 * page retried with backoff. An `ExclusiveStartKey` in the input is where the first page starts.
 */
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { withBackoff } from './retry.ts';

export async function* queryItems(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  input: QueryCommandInput,
): AsyncGenerator<Record<string, unknown>> {
  for await (const items of queryPages(client, input)) yield* items;
}

/** The same, a page at a time: where each item would otherwise cost an await of its own (charts). */
export async function* queryPages(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  input: QueryCommandInput,
): AsyncGenerator<Record<string, unknown>[]> {
  let exclusiveStartKey: Record<string, unknown> | undefined = input.ExclusiveStartKey;
  do {
    const page = await withBackoff(() => client.send(new QueryCommand({ ...input, ExclusiveStartKey: exclusiveStartKey })));
    yield page.Items ?? [];
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
}
