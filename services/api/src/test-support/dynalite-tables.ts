/**
 * DynamoDB for tests: the local cloud's in-process dynalite with the tables of core's `tables`,
 * behind the document client the API Service uses.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startTestDynamo as startDynalite } from '@fleet/local-cloud/testing';

export interface TestDynamo {
  readonly doc: DynamoDBDocumentClient;
  readonly raw: DynamoDBClient;
  close(): Promise<void>;
}

export async function startTestDynamo(): Promise<TestDynamo> {
  const dynamo = await startDynalite();
  const doc = DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } });
  return { doc, raw: dynamo.client, close: dynamo.close };
}
