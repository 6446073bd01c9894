/**
 * DynamoDB and S3 on their real wire protocols inside the test process: dynalite and s3rver on
 * ephemeral loopback ports, with the tables and the bucket of the shared definitions created, and
 * SDK v3 clients pointed at them. The services' tests use them to run their real AWS SDK code
 * without the launcher. (dynalite and s3rver ship no type declarations: they are loaded through
 * `createRequire` with the small shapes used here.)
 */
import '../dynamodb/condition-parse-memo.mjs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { tables, telemetryBucket } from '@fleet/core';
import { createTableInput } from '../dynamodb/ensure-tables.ts';

const require = createRequire(import.meta.url);
type Dynalite = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; maxItemSizeKb?: number }) => Server;
const dynalite = require('dynalite') as Dynalite;
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

const region = 'us-east-1';

export interface TestDynamo {
  readonly endpoint: string;
  /** Every table of `@fleet/core`'s `tables` exists and is ACTIVE. */
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

export interface TestS3 {
  readonly endpoint: string;
  /** The telemetry bucket of `@fleet/core` exists. */
  readonly bucket: string;
  readonly client: S3Client;
  close(): Promise<void>;
}

/** dynalite with the shared tables; `maxItemSizeKb` lowers its 400 KB item limit for tests. */
export async function startTestDynamo(options: { maxItemSizeKb?: number } = {}): Promise<TestDynamo> {
  // NOTES.md: `createTableMs: 0` skips the 500 ms CREATING state (and likewise for delete and update).
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...options });
  const endpoint = `http://127.0.0.1:${(await listen(server)).port}`;
  const client = new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  for (const table of tables) await client.send(new CreateTableCommand(createTableInput(table)));
  return {
    endpoint,
    client,
    async close() {
      client.destroy();
      await closeServer(server);
    },
  };
}

/** s3rver in a temporary folder with the telemetry bucket. */
export async function startTestS3(): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'fleet-test-s3-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: telemetryBucket.id }] });
  const endpoint = `http://127.0.0.1:${(await s3rver.run()).port}`;
  const client = new S3Client({
    endpoint,
    region,
    // s3rver checks signatures against its one built-in key pair.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // NOTES.md: without these two, SDK v3 stores streamed objects with aws-chunked framing inside.
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    bucket: telemetryBucket.id,
    client,
    async close() {
      client.destroy();
      if (s3rver.httpServer) await closeServer(s3rver.httpServer);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

const listen = (server: Server) =>
  new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
