/**
 * The device registry (`fleet-devices`), the API Service's own table: registration writes an item,
 * revocation deletes it, and nothing else writes it (docs/adr/0001-table-ownership.md). Presence
 * and latest values are the Data Service's; `device-views.ts` joins them in.
 */
import { DeleteCommand, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DeviceRecord } from '@fleet/core';
import type { ApiClients } from '../aws-clients.ts';

export interface DeviceRegistry {
  /** Stores a new device; `false` when the id is already registered. */
  create(record: DeviceRecord): Promise<boolean>;
  get(deviceId: string): Promise<DeviceRecord | undefined>;
  /**
   * Every device of the registry: a strongly consistent Scan in parallel segments
   * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html#Scan.ParallelScan),
   * for the in-memory device index.
   */
  scanAll(): Promise<DeviceRecord[]>;
  remove(deviceId: string): Promise<void>;
}

export class InvalidCursorError extends Error {
  constructor(cursor: string, reason = 'is not one this API returned') {
    super(`cursor ${JSON.stringify(cursor.slice(0, 40))} ${reason}`);
    this.name = 'InvalidCursorError';
  }
}

/** Parallel Scan segments: 10,000 registry items are about 3 MB, a dozen 1 MB Scan pages. */
const scanSegments = 4;

export function createDeviceRegistry(deps: { dynamo: ApiClients['dynamo']; devicesTable: string }): DeviceRegistry {
  const { dynamo, devicesTable } = deps;
  return {
    async create(record) {
      try {
        await dynamo.send(
          new PutCommand({ TableName: devicesTable, Item: { ...record }, ConditionExpression: 'attribute_not_exists(deviceId)' }),
        );
        return true;
      } catch (err) {
        if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw err;
      }
    },

    async get(deviceId) {
      const out = await dynamo.send(new GetCommand({ TableName: devicesTable, Key: { deviceId }, ConsistentRead: true }));
      return out.Item ? toRecord(out.Item) : undefined;
    },

    async scanAll() {
      const segments = await Promise.all(
        Array.from({ length: scanSegments }, async (_, segment) => {
          const records: DeviceRecord[] = [];
          let start: Record<string, unknown> | undefined;
          do {
            const out = await dynamo.send(
              new ScanCommand({
                TableName: devicesTable,
                Segment: segment,
                TotalSegments: scanSegments,
                ConsistentRead: true,
                ...(start ? { ExclusiveStartKey: start } : {}),
              }),
            );
            for (const item of out.Items ?? []) records.push(toRecord(item));
            start = out.LastEvaluatedKey;
          } while (start);
          return records;
        }),
      );
      return segments.flat();
    },

    async remove(deviceId) {
      await dynamo.send(new DeleteCommand({ TableName: devicesTable, Key: { deviceId } }));
    },
  };
}

/**
 * The registry fields of an item. Items written before presence moved to the Data Service still
 * carry `online`, `lastSeenAt`…: they are not registry fields and are left out.
 */
function toRecord(item: Record<string, unknown>): DeviceRecord {
  const text = (name: string) => (typeof item[name] === 'string' ? item[name] : '');
  return {
    deviceId: String(item['deviceId']),
    name: text('name'),
    ownerId: text('ownerId'),
    ownerName: text('ownerName'),
    createdAt: text('createdAt'),
    certificateArn: text('certificateArn'),
    certificateId: text('certificateId'),
    status: 'active',
  };
}
