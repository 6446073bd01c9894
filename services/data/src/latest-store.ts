/**
 * Latest values: the reading attributes of each device's item in the device state table
 * (`device-states.ts`), replaced only by a newer (ts, seq). The condition makes the write
 * order-independent: an older or duplicate reading fails the condition
 * (ConditionalCheckFailedException), which is the expected outcome, not an error. An UpdateItem
 * (not a PutItem) leaves the presence attributes of the same item alone.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapWithLimit, type LatestValues, type Reading } from '@fleet/core';
import { reportWriteUnits, type WriteUnitsListener } from './consumed-capacity.ts';
import { latestOfItem } from './device-states.ts';
import { isConditionFailed, withBackoff } from './retry.ts';

export interface LatestWriteResult {
  /** Devices whose latest item was replaced. */
  readonly updated: number;
  /** Devices whose stored reading was already as new or newer. */
  readonly older: number;
  readonly failed: readonly { readonly deviceId: string; readonly error: unknown }[];
  /**
   * Devices whose write was put off (latest-coalescer.ts): resolves, once written, with those whose
   * write failed. Their messages may be deleted only then. Absent when every device was written.
   */
  readonly deferred?: Promise<readonly { readonly deviceId: string; readonly error: unknown }[]>;
}

export interface LatestStore {
  /** Offers each device's newest reading of the batch; never throws for a failed write (see `failed`). */
  write(readings: readonly (Reading & { readonly receivedAt: number })[]): Promise<LatestWriteResult>;
  /** The device's latest reading; undefined before its first. */
  get(deviceId: string): Promise<LatestValues | undefined>;
}

export interface LatestStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default 8 */
  readonly writeConcurrency?: number;
  /** Told the write units DynamoDB reports for each successful write; one refused by its condition is billed too but reports nothing. */
  readonly onWriteUnits?: WriteUnitsListener;
}

const isNewer = (a: { ts: number; seq: number }, b: { ts: number; seq: number }) => a.ts > b.ts || (a.ts === b.ts && a.seq > b.seq);

/** Each device's newest reading of `readings`: only it can win the device's conditional write. */
export function newestByDevice<R extends Reading>(readings: Iterable<R>, into = new Map<string, R>()): Map<string, R> {
  for (const r of readings) {
    const current = into.get(r.deviceId);
    if (!current || isNewer(r, current)) into.set(r.deviceId, r);
  }
  return into;
}

/** Creates the latest-values store. */
export function createLatestStore(options: LatestStoreOptions): LatestStore {
  const { client, tableName } = options;

  async function write(readings: readonly (Reading & { receivedAt: number })[]): Promise<LatestWriteResult> {
    // One conditional write per device per batch: only the batch's newest reading can win.
    const newest = newestByDevice(readings);
    let updated = 0;
    let older = 0;
    const failed: { deviceId: string; error: unknown }[] = [];
    await mapWithLimit([...newest.values()], options.writeConcurrency ?? 8, async (r) => {
      try {
        const out = await withBackoff(() =>
          client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { deviceId: r.deviceId },
              // `values` is a DynamoDB reserved word: every name goes through a placeholder.
              UpdateExpression: 'SET #ts = :ts, #seq = :seq, #values = :values, #receivedAt = :receivedAt',
              // A presence event may have created the item first: no `ts` yet counts as older.
              ConditionExpression: 'attribute_not_exists(#ts) OR #ts < :ts OR (#ts = :ts AND #seq < :seq)',
              ExpressionAttributeNames: { '#ts': 'ts', '#seq': 'seq', '#values': 'values', '#receivedAt': 'receivedAt' },
              ExpressionAttributeValues: { ':ts': r.ts, ':seq': r.seq, ':values': r.values, ':receivedAt': r.receivedAt },
              ReturnConsumedCapacity: 'TOTAL',
            }),
          ),
        );
        reportWriteUnits(out, options.onWriteUnits);
        updated++;
      } catch (error) {
        if (isConditionFailed(error)) older++;
        else failed.push({ deviceId: r.deviceId, error });
      }
    });
    return { updated, older, failed };
  }

  async function get(deviceId: string): Promise<LatestValues | undefined> {
    const out = await client.send(new GetCommand({ TableName: tableName, Key: { deviceId } }));
    const latest = out.Item ? latestOfItem(out.Item) : undefined;
    return latest ? { deviceId, ...latest } : undefined;
  }

  return { write, get };
}
