/**
 * The device registry (DEVICES_TABLE) and the latest values (LATEST_TABLE) as the API reads and
 * writes them. Presence attributes (`online`, `lastSeenAt`, …) and latest items are written by
 * the Data Service; the API writes only registration and removal.
 */
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiClients } from '../aws-clients.ts';

/** A registry item as the API writes it. */
export interface DeviceRecord {
  readonly deviceId: string;
  readonly name: string;
  readonly ownerId: string;
  readonly ownerName: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly certificateArn: string;
  readonly certificateId: string;
  readonly status: 'active';
}

/** What the Data Service adds to a registry item from AWS IoT lifecycle events. */
export interface Presence {
  readonly online: boolean;
  readonly lastSeenAt?: string;
  readonly connectedAt?: string;
  readonly disconnectReason?: string;
}

/** The latest reading of a device, as the Data Service stores it. */
export interface LatestReading {
  readonly ts: number;
  readonly seq: number;
  readonly values: Readonly<Record<string, number>>;
  readonly receivedAt?: number;
}

export type DeviceView = DeviceRecord & Presence & { readonly latest?: LatestReading };

export interface DevicePage {
  readonly items: DeviceView[];
  /** Opaque; absent on the last page. */
  readonly nextCursor?: string;
}

export interface DeviceRegistry {
  /** Stores a new device; `false` when the id is already registered. */
  create(record: DeviceRecord): Promise<boolean>;
  get(deviceId: string): Promise<DeviceView | undefined>;
  list(page: { limit: number; cursor?: string }): Promise<DevicePage>;
  remove(deviceId: string): Promise<void>;
}

export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`cursor ${JSON.stringify(cursor.slice(0, 40))} is not one this API returned`);
    this.name = 'InvalidCursorError';
  }
}

export function createDeviceRegistry(deps: { dynamo: ApiClients['dynamo']; devicesTable: string; latestTable: string }): DeviceRegistry {
  const { dynamo, devicesTable, latestTable } = deps;

  /** BatchGetItem takes 100 keys; unprocessed keys are asked again (AWS advises backing off). */
  async function latestOf(deviceIds: readonly string[]): Promise<Map<string, LatestReading>> {
    const found = new Map<string, LatestReading>();
    let keys = deviceIds.map((deviceId) => ({ deviceId }));
    for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      const out = await dynamo.send(new BatchGetCommand({ RequestItems: { [latestTable]: { Keys: keys.slice(0, 100) } } }));
      for (const item of out.Responses?.[latestTable] ?? []) found.set(String(item['deviceId']), toLatest(item));
      const unprocessed = (out.UnprocessedKeys?.[latestTable]?.Keys ?? []) as { deviceId: string }[];
      keys = [...unprocessed, ...keys.slice(100)];
    }
    return found;
  }

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
      if (!out.Item) return undefined;
      const latest = (await latestOf([deviceId])).get(deviceId);
      return toView(out.Item, latest);
    },

    async list({ limit, cursor }) {
      const out = await dynamo.send(
        new ScanCommand({
          TableName: devicesTable,
          Limit: limit,
          ...(cursor ? { ExclusiveStartKey: { deviceId: decodeCursor(cursor) } } : {}),
        }),
      );
      const items = out.Items ?? [];
      const latest = items.length > 0 ? await latestOf(items.map((i) => String(i['deviceId']))) : new Map();
      const views = items.map((item) => toView(item, latest.get(String(item['deviceId']))));
      views.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.deviceId.localeCompare(b.deviceId));
      const last = out.LastEvaluatedKey?.['deviceId'];
      return { items: views, ...(typeof last === 'string' ? { nextCursor: encodeCursor(last) } : {}) };
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

function toLatest(item: Record<string, unknown>): LatestReading {
  const receivedAt = item['receivedAt'];
  return {
    ts: Number(item['ts']),
    seq: Number(item['seq']),
    values: (item['values'] ?? {}) as Record<string, number>,
    ...(typeof receivedAt === 'number' ? { receivedAt } : {}),
  };
}

function toView(item: Record<string, unknown>, latest: LatestReading | undefined): DeviceView {
  const text = (name: string) => (typeof item[name] === 'string' ? (item[name] as string) : undefined);
  const optional = (name: string) => {
    const v = text(name);
    return v === undefined ? {} : { [name]: v };
  };
  return {
    deviceId: String(item['deviceId']),
    name: text('name') ?? '',
    ownerId: text('ownerId') ?? '',
    ownerName: text('ownerName') ?? '',
    createdAt: text('createdAt') ?? '',
    certificateArn: text('certificateArn') ?? '',
    certificateId: text('certificateId') ?? '',
    status: 'active',
    online: item['online'] === true,
    ...optional('lastSeenAt'),
    ...optional('connectedAt'),
    ...optional('disconnectReason'),
    ...(latest ? { latest } : {}),
  };
}
