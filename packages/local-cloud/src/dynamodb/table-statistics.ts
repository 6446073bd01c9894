/**
 * DescribeTable's ItemCount and TableSizeBytes (and each index's ItemCount and IndexSizeBytes),
 * which dynalite leaves at 0. DynamoDB refreshes them "approximately every six hours"
 * (API Reference, TableDescription); the local cloud counts them itself in a background pass:
 * per table a paginated Scan summing item sizes by DynamoDB's rules (item-size.ts), with a pause
 * between pages so ingest keeps the store. A DescribeTable answers the last figures at once and
 * never waits for a pass; a table not counted yet answers dynalite's 0. The figures live in
 * memory only: after a restart the first pass (shortly after start) counts them again.
 *
 * An index counts the items holding all its key attributes (a sparse index holds no others), each
 * by the size of its projection: the table's and the index's keys, plus the included attributes
 * (INCLUDE) or everything (ALL) — as DynamoDB sizes an index entry, without its 100-byte overhead,
 * which TableSizeBytes leaves out too.
 */
import { crc32 } from 'node:zlib';
import {
  DescribeTableCommand,
  ListTablesCommand,
  ResourceNotFoundException,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { Logger } from 'pino';
import type { AwsResponse } from '../aws-endpoint/index.ts';
import { itemSize, type Item } from './item-size.ts';

export interface Figures {
  readonly itemCount: number;
  readonly sizeBytes: number;
}

export interface TableStatistics extends Figures {
  /** Which incarnation of the table was counted (a table deleted and created again starts at 0). */
  readonly createdAtMs: number;
  readonly indexes: Readonly<Record<string, Figures>>;
}

export interface StatisticsOptions {
  readonly client: DynamoDBClient;
  readonly log?: Logger;
  /** Items per Scan page. @default 500 */
  readonly pageSize?: number;
  /** Pause between two Scan pages, so a pass never starves ingest. @default 20 */
  readonly pagePauseMs?: number;
  /** Ends a pass at its next page (the stand-in closing). */
  readonly signal?: AbortSignal;
}

interface IndexShape {
  readonly name: string;
  readonly keys: readonly string[];
  /** The attributes an entry holds; undefined for ALL. */
  readonly projected: readonly string[] | undefined;
}

/** Counts one table with a paginated Scan; undefined when the table is gone. */
export async function countTable(table: string, options: StatisticsOptions): Promise<TableStatistics | undefined> {
  const { client } = options;
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const tableKeys = (Table?.KeySchema ?? []).map((k) => k.AttributeName ?? '');
    const indexes = indexShapes(Table, tableKeys);
    const figures = new Map(indexes.map((index) => [index.name, { itemCount: 0, sizeBytes: 0 }]));
    let itemCount = 0;
    let sizeBytes = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      options.signal?.throwIfAborted();
      const page = await client.send(new ScanCommand({ TableName: table, Limit: options.pageSize ?? 500, ExclusiveStartKey: startKey }));
      for (const item of page.Items ?? []) {
        itemCount += 1;
        sizeBytes += itemSize(item);
        for (const index of indexes) {
          if (!index.keys.every((key) => item[key] !== undefined)) continue;
          const entry = figures.get(index.name)!;
          entry.itemCount += 1;
          entry.sizeBytes += index.projected ? itemSize(pick(item, index.projected)) : itemSize(item);
        }
      }
      startKey = page.LastEvaluatedKey;
      if (startKey) await new Promise((resolve) => setTimeout(resolve, options.pagePauseMs ?? 20));
    } while (startKey);
    return {
      itemCount,
      sizeBytes,
      createdAtMs: Table?.CreationDateTime?.getTime() ?? 0,
      indexes: Object.fromEntries(figures),
    };
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

function indexShapes(table: TableDescription | undefined, tableKeys: readonly string[]): IndexShape[] {
  const all = [...(table?.GlobalSecondaryIndexes ?? []), ...(table?.LocalSecondaryIndexes ?? [])];
  return all.map((index) => {
    const keys = (index.KeySchema ?? []).map((k) => k.AttributeName ?? '');
    const type = index.Projection?.ProjectionType ?? 'ALL';
    const projected =
      type === 'ALL'
        ? undefined
        : [...new Set([...tableKeys, ...keys, ...(type === 'INCLUDE' ? (index.Projection?.NonKeyAttributes ?? []) : [])])];
    return { name: index.IndexName ?? '', keys, projected };
  });
}

function pick(item: Item, names: readonly string[]): Item {
  const picked: Item = {};
  for (const name of names) if (item[name] !== undefined) picked[name] = item[name];
  return picked;
}

/** The figures of every table, refreshed by `refresh()` one pass at a time. */
export function createTableStatistics(options: StatisticsOptions) {
  const figures = new Map<string, TableStatistics>();
  let running: Promise<void> | undefined;

  async function pass(): Promise<void> {
    let start: string | undefined;
    const names: string[] = [];
    do {
      const page = await options.client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      names.push(...(page.TableNames ?? []));
      start = page.LastEvaluatedTableName;
    } while (start);
    for (const name of [...figures.keys()]) if (!names.includes(name)) figures.delete(name);
    for (const name of names) {
      try {
        const counted = await countTable(name, options);
        if (counted) figures.set(name, counted);
        else figures.delete(name);
      } catch (err) {
        // The last figures stay: a pass cut short (dynalite restarting) is retried by the next one.
        if (options.signal?.aborted) return;
        options.log?.warn({ err, table: name }, 'counting the table statistics failed');
      }
    }
  }

  return {
    /** Runs a pass, or joins the one running. */
    refresh(): Promise<void> {
      return (running ??= pass().finally(() => (running = undefined)));
    },
    /** Resolves when the running pass (if any) has ended, successful or not. */
    idle: (): Promise<void> => running?.catch(() => undefined) ?? Promise.resolve(),
    get: (table: string): TableStatistics | undefined => figures.get(table),
    forget: (table: string): boolean => figures.delete(table),
    /** dynalite's DescribeTable answer with the counted figures in place of its zeros. */
    describeTableAnswer(response: AwsResponse): AwsResponse {
      if (response.status !== 200 || response.body === undefined) return response;
      const body = JSON.parse(response.body.toString()) as { Table?: DescribedTable };
      const table = body.Table;
      const counted = table?.TableName === undefined ? undefined : figures.get(table.TableName);
      // dynalite answers CreationDateTime in epoch seconds with milliseconds as the fraction.
      if (!table || !counted || Math.round((table.CreationDateTime ?? 0) * 1000) !== counted.createdAtMs) return response;
      table.ItemCount = counted.itemCount;
      table.TableSizeBytes = counted.sizeBytes;
      for (const index of [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])]) {
        const indexFigures = counted.indexes[index.IndexName];
        if (!indexFigures) continue;
        index.ItemCount = indexFigures.itemCount;
        index.IndexSizeBytes = indexFigures.sizeBytes;
      }
      const text = Buffer.from(JSON.stringify(body));
      // The AWS CLI (botocore) checks DynamoDB's x-amz-crc32 of the body it receives.
      return {
        ...response,
        headers: { ...response.headers, 'content-length': String(text.length), 'x-amz-crc32': String(crc32(text)) },
        body: text,
      };
    },
  };
}

interface DescribedTable {
  TableName?: string;
  CreationDateTime?: number;
  ItemCount?: number;
  TableSizeBytes?: number;
  GlobalSecondaryIndexes?: DescribedIndex[];
  LocalSecondaryIndexes?: DescribedIndex[];
}

interface DescribedIndex {
  IndexName: string;
  ItemCount?: number;
  IndexSizeBytes?: number;
}

export type TableStatisticsStore = ReturnType<typeof createTableStatistics>;
