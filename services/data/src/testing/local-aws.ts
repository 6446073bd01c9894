/**
 * Real DynamoDB and S3 protocols in-process for tests: the local cloud's in-process dynalite and
 * s3rver with the tables of `@fleet/core` and the bucket created, behind the clients the Data
 * Service uses. Test support only.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dataControlTable, rollupsTable, tables } from '@fleet/core';
import { startTestDynamo, startTestS3 } from '@fleet/local-cloud/testing';

export interface LocalAws {
  readonly dynamo: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly tableNames: {
    readonly devices: string;
    readonly latest: string;
    readonly telemetry: string;
    readonly rollups: string;
    readonly dataControl: string;
  };
  close(): Promise<void>;
}

/** Starts dynalite and s3rver; `maxItemSizeKb` lowers dynalite's 400 KB item limit for tests. */
export async function startLocalAws(options: { maxItemSizeKb?: number } = {}): Promise<LocalAws> {
  const [dynamo, s3] = await Promise.all([startTestDynamo(options), startTestS3()]);
  return {
    dynamo: DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } }),
    s3: s3.client,
    bucket: s3.bucket,
    tableNames: {
      devices: tables[0].id,
      latest: tables[1].id,
      telemetry: tables[2].id,
      rollups: rollupsTable.id,
      dataControl: dataControlTable.id,
    },
    async close() {
      await Promise.all([dynamo.close(), s3.close()]);
    },
  };
}
