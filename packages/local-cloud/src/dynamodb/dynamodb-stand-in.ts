/**
 * DynamoDB stand-in: dynalite in a supervised child process (NOTES.md: ≈ 5k batch-written items/s
 * out of process vs ≈ 3.4k in process; its disk store survives SIGKILL), reached through the local
 * AWS endpoint. The handler adds what dynalite lacks: UpdateTimeToLive / DescribeTimeToLive with a
 * TTL sweeper, TransactWriteItems / TransactGetItems (transactions.ts, with its limits), the
 * tables' item counts and sizes in DescribeTable (table-statistics.ts), clear
 * AWS-shaped errors for operations it does not implement, and DynamoDB's own 503 while dynalite
 * is down and being restarted.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sdkClientDefaults } from '@fleet/core/aws-sdk';
import type { Logger } from 'pino';
import { AwsError, jsonError, type AwsRequest, type AwsResponse, type AwsServiceHandler } from '../aws-endpoint/index.ts';
import {
  createForwardTarget,
  forwardAwsRequest,
  StandInUnavailable,
  startSupervisedChild,
  type ChildStatus,
  type SupervisedChild,
} from '../child-process/index.ts';
import { guardDynamoDbRequest } from './request-guard.ts';
import { loadTtlSettings } from './ttl-settings.ts';
import { sweepExpiredItems } from './ttl-sweeper.ts';
import { createTableStatistics } from './table-statistics.ts';
import { callDynalite, createTransactions, rethrow, TransactionCanceled } from './transactions.ts';

export interface DynamoDbOptions {
  /** The stand-in's own folder (`<data>/dynamodb`): dynalite's LevelDB in `leveldb/`, TTL settings in `ttl.json`. */
  readonly dataDir: string;
  readonly log?: Logger;
  /** How often expired TTL items are deleted. @default 60000 */
  readonly ttlSweepIntervalMs?: number;
  /** How often DescribeTable's ItemCount and TableSizeBytes are counted again (AWS: about every six hours). @default 600000 */
  readonly tableStatisticsIntervalMs?: number;
  /** The first count after start. @default 5000 */
  readonly tableStatisticsFirstMs?: number;
  /** The counting Scan's pause between pages, so ingest is not starved. @default 20 */
  readonly tableStatisticsPagePauseMs?: number;
  /** dynalite is restarted when its resident memory passes this (a last resort). @default 1024 */
  readonly maxRssMb?: number;
  /** Every state change of the dynalite process (down, starting, up). */
  readonly onStateChange?: (status: ChildStatus) => void;
}

export interface DynamoDbStandIn {
  readonly handler: AwsServiceHandler;
  /** The supervised dynalite process: state, pid, port, restarts. */
  readonly process: SupervisedChild;
  /** Runs one TTL sweep now; resolves with the number of items deleted. */
  sweepExpiredItems(): Promise<number>;
  /** Counts every table's items and bytes now (or joins the pass running); DescribeTable answers the last figures meanwhile. */
  refreshTableStatistics(): Promise<void>;
  /** Stops the sweeper and dynalite, and waits for the child to exit. */
  close(): Promise<void>;
}

const contentType = 'application/x-amz-json-1.0';
export const dynaliteScript = fileURLToPath(new URL('./dynalite-main.mjs', import.meta.url));

/**
 * What dynalite 4 implements (its `actions/` folder). Anything else, besides TTL and the
 * transactions added here (PartiQL, backups, DynamoDB Streams, ...), is answered with an explicit
 * UnknownOperationException instead of dynalite's message-less one.
 */
const forwarded = new Set([
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'GetItem',
  'ListTables',
  'ListTagsOfResource',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'UpdateItem',
  'UpdateTable',
]);

export async function startDynamoDb(options: DynamoDbOptions): Promise<DynamoDbStandIn> {
  const log = options.log?.child({ service: 'dynamodb' });
  const path = join(options.dataDir, 'leveldb');
  await mkdir(path, { recursive: true });
  const settings = await loadTtlSettings(join(options.dataDir, 'ttl.json'));
  const child = await startSupervisedChild({
    name: 'dynalite',
    script: dynaliteScript,
    args: ({ port }) => [path, String(port ?? 0), '--max-rss-mb', String(options.maxRssMb ?? 1024)],
    ...(log ? { log } : {}),
    ...(options.onStateChange ? { onStateChange: options.onStateChange } : {}),
  });
  const target = createForwardTarget('DynamoDB', child.port);
  // The TTL sweeper's client. Its endpoint is resolved per request, so it follows a restart.
  const client = new DynamoDBClient({
    ...sdkClientDefaults,
    endpoint: () => Promise.resolve({ url: new URL(`http://127.0.0.1:${child.status().port ?? 0}`) }),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  let sweeping: Promise<number> | undefined;
  const sweep = () => (sweeping ??= sweepExpiredItems({ client, settings, ...(log ? { log } : {}) }).finally(() => (sweeping = undefined)));
  const timer = setInterval(() => void sweep(), options.ttlSweepIntervalMs ?? 60_000);
  timer.unref();

  const stopCounting = new AbortController();
  const statistics = createTableStatistics({
    client,
    signal: stopCounting.signal,
    ...(log ? { log } : {}),
    ...(options.tableStatisticsPagePauseMs !== undefined ? { pagePauseMs: options.tableStatisticsPagePauseMs } : {}),
  });
  const count = () => void statistics.refresh().catch((err: unknown) => log?.warn({ err }, 'counting the table statistics failed'));
  const firstCount = setTimeout(count, options.tableStatisticsFirstMs ?? 5_000);
  const countTimer = setInterval(count, options.tableStatisticsIntervalMs ?? 600_000);
  firstCount.unref();
  countTimer.unref();

  const transactions = createTransactions(target);

  const handler: AwsServiceHandler = async (req) => {
    const operation = req.operation ?? '';
    try {
      // Before anything reaches dynalite: input it would crash on answers a 400 here (request-guard.ts).
      guardDynamoDbRequest(req.body);
      if (operation === 'UpdateTimeToLive') return json(await updateTimeToLive(parse(req)));
      if (operation === 'DescribeTimeToLive') return json(await describeTimeToLive(parse(req)));
      if (operation === 'TransactWriteItems') return json(await transactions.transactWriteItems(parse(req)));
      if (operation === 'TransactGetItems') return json(await transactions.transactGetItems(parse(req)));
      if (!forwarded.has(operation)) {
        throw new AwsError(
          'com.amazon.coral.service#UnknownOperationException',
          `The local cloud's DynamoDB (dynalite 4) does not implement ${operation || '(no X-Amz-Target operation)'}. Supported: table operations, Get/Put/Update/DeleteItem, BatchGet/BatchWriteItem, Query, Scan, tags, Update/DescribeTimeToLive, TransactWrite/GetItems.`,
        );
      }
      const response = await forwardAwsRequest(target, req);
      if (operation === 'DescribeTable') return statistics.describeTableAnswer(response);
      if (operation === 'DeleteTable' && response.status === 200) {
        const table = tableName(parse(req));
        transactions.forgetTable(table);
        statistics.forget(table);
        await settings.set(table, undefined);
      }
      return response;
    } catch (err) {
      if (err instanceof StandInUnavailable) return serviceUnavailable(err);
      const response = jsonError(err, contentType);
      if (!(err instanceof TransactionCanceled)) return response;
      const body = JSON.parse(String(response.body)) as Record<string, unknown>;
      return { ...response, body: JSON.stringify({ ...body, CancellationReasons: err.cancellationReasons }) };
    }
  };

  async function requireTable(name: string): Promise<void> {
    const answer = await callDynalite(target, 'DescribeTable', { TableName: name });
    if (answer.ok) return;
    if (String(answer.body.__type).endsWith('#ResourceNotFoundException')) {
      throw new AwsError(
        'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
        `Requested resource not found: Table: ${name} not found`,
      );
    }
    rethrow(answer.body);
  }

  // UpdateTimeToLive (DynamoDB API Reference): answers the specification it was given.
  async function updateTimeToLive(input: Record<string, unknown>): Promise<unknown> {
    const table = tableName(input);
    const spec = input.TimeToLiveSpecification as { Enabled?: unknown; AttributeName?: unknown } | undefined;
    if (
      !spec ||
      typeof spec.Enabled !== 'boolean' ||
      typeof spec.AttributeName !== 'string' ||
      spec.AttributeName.length === 0 ||
      spec.AttributeName.length > 255
    ) {
      throw validation(
        `1 validation error detected: TimeToLiveSpecification must have Enabled (boolean) and AttributeName (1-255 characters); received ${JSON.stringify(spec)}`,
      );
    }
    await requireTable(table);
    const current = settings.get(table);
    if (spec.Enabled && current !== undefined) throw validation('TimeToLive is already enabled');
    if (!spec.Enabled && current === undefined) throw validation('TimeToLive is already disabled');
    if (!spec.Enabled && current !== spec.AttributeName) {
      throw validation(`TimeToLive is enabled on attribute ${current}, not on ${spec.AttributeName}`);
    }
    await settings.set(table, spec.Enabled ? spec.AttributeName : undefined);
    return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
  }

  async function describeTimeToLive(input: Record<string, unknown>): Promise<unknown> {
    const table = tableName(input);
    await requireTable(table);
    const attribute = settings.get(table);
    return {
      TimeToLiveDescription: attribute ? { TimeToLiveStatus: 'ENABLED', AttributeName: attribute } : { TimeToLiveStatus: 'DISABLED' },
    };
  }

  return {
    handler,
    process: child,
    sweepExpiredItems: sweep,
    refreshTableStatistics: () => statistics.refresh(),
    async close() {
      clearInterval(timer);
      clearTimeout(firstCount);
      clearInterval(countTimer);
      stopCounting.abort();
      await sweeping?.catch(() => undefined);
      await statistics.idle();
      client.destroy();
      target.agent.destroy();
      await child.stop();
    },
  };
}

const parse = (req: AwsRequest): Record<string, unknown> => guardDynamoDbRequest(req.body);

function tableName(input: Record<string, unknown>): string {
  const name = input.TableName;
  if (typeof name !== 'string' || !/^[a-zA-Z0-9_.-]{3,255}$/.test(name)) {
    throw validation(
      `1 validation error detected: Value '${String(name)}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ (3-255 characters)`,
    );
  }
  return name;
}

const validation = (message: string) => new AwsError('com.amazon.coral.validate#ValidationException', message);

/**
 * What DynamoDB answers when it cannot serve: HTTP 503 ServiceUnavailable, "OK to retry? Yes"
 * (Developer Guide, "Error handling with DynamoDB"). The SDK retries 5xx answers by itself.
 */
function serviceUnavailable(err: StandInUnavailable): AwsResponse {
  return {
    status: 503,
    headers: { 'content-type': contentType },
    body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: err.message }),
  };
}

function json(output: unknown): AwsResponse {
  return { status: 200, headers: { 'content-type': contentType }, body: JSON.stringify(output) };
}
