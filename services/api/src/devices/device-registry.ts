/**
 * The device registry (`fleet-devices`), the API Service's own table: registration writes an item,
 * revocation deletes it, and nothing else writes it (docs/adr/0001-table-ownership.md). Presence
 * and latest values are the Data Service's; `device-views.ts` joins them in.
 */
import { DeleteCommand, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DeviceRecord } from '@fleet/core';
import type { ApiClients } from '../aws-clients.ts';

export interface RecordPage {
  readonly items: DeviceRecord[];
  /** Opaque; absent on the last page. */
  readonly nextCursor?: string;
}

export interface DeviceRegistry {
  /** Stores a new device; `false` when the id is already registered. */
  create(record: DeviceRecord): Promise<boolean>;
  get(deviceId: string): Promise<DeviceRecord | undefined>;
  /** A page of the registry, in registration order within the page. */
  list(page: { limit: number; cursor?: string }): Promise<RecordPage>;
  remove(deviceId: string): Promise<void>;
}

export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`cursor ${JSON.stringify(cursor.slice(0, 40))} is not one this API returned`);
    this.name = 'InvalidCursorError';
  }
}

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

    async list({ limit, cursor }) {
      const out = await dynamo.send(
        new ScanCommand({
          TableName: devicesTable,
          Limit: limit,
          ...(cursor ? { ExclusiveStartKey: { deviceId: decodeCursor(cursor) } } : {}),
        }),
      );
      const items = (out.Items ?? []).map(toRecord);
      items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.deviceId.localeCompare(b.deviceId));
      const last = out.LastEvaluatedKey?.['deviceId'];
      return { items, ...(typeof last === 'string' ? { nextCursor: encodeCursor(last) } : {}) };
    },

    async remove(deviceId) {
      await dynamo.send(new DeleteCommand({ TableName: devicesTable, Key: { deviceId } }));
    },
  };
}

const encodeCursor = (deviceId: string) => Buffer.from(JSON.stringify({ d: deviceId }), 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { d?: unknown };
    if (typeof parsed.d === 'string' && parsed.d.length > 0) return parsed.d;
  } catch {
    // fall through: not ours
  }
  throw new InvalidCursorError(cursor);
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
