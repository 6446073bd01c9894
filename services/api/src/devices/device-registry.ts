/**
 * The device registry (`fleet-devices`), the API Service's own table: registration writes an item,
 * certificate rotation and revocation change its certificates, revocation of the device deletes
 * it, and nothing else writes it (docs/adr/0001-table-ownership.md). Presence
 * and latest values are the Data Service's; `device-views.ts` joins them in.
 */
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
  /** The device's certificate history (revoked ones), with the version a change must name; undefined when not registered. */
  certificateHistory(deviceId: string): Promise<CertificateHistory | undefined>;
  /**
   * Sets the current certificate and the revoked list, if the history is still at `expectedVersion`
   * (two admins rotating or revoking at once must not lose one's change): the new record, `conflict`
   * when it moved on, `missing` when the device is gone.
   */
  changeCertificates(deviceId: string, expectedVersion: number, change: CertificateChange): Promise<DeviceRecord | 'conflict' | 'missing'>;
}

/** A certificate the device had, revoked: REVOKED in AWS IoT and detached, listed until pruned. */
export interface RevokedCertificateEntry {
  readonly certificateId: string;
  readonly certificateArn: string;
  readonly revokedAt: string;
}

export interface CertificateHistory {
  readonly record: DeviceRecord;
  /** Oldest first. */
  readonly revoked: readonly RevokedCertificateEntry[];
  /** 0 for an item never changed since registration. */
  readonly version: number;
}

export interface CertificateChange {
  readonly current: { readonly certificateArn: string; readonly certificateId: string };
  readonly revoked: readonly RevokedCertificateEntry[];
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
  async function get(deviceId: string): Promise<DeviceRecord | undefined> {
    const out = await dynamo.send(new GetCommand({ TableName: devicesTable, Key: { deviceId }, ConsistentRead: true }));
    return out.Item ? toRecord(out.Item) : undefined;
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

    get,

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

    async certificateHistory(deviceId) {
      const out = await dynamo.send(new GetCommand({ TableName: devicesTable, Key: { deviceId }, ConsistentRead: true }));
      if (!out.Item) return undefined;
      const revoked = Array.isArray(out.Item['revokedCertificates']) ? (out.Item['revokedCertificates'] as RevokedCertificateEntry[]) : [];
      const version = typeof out.Item['certificatesVersion'] === 'number' ? out.Item['certificatesVersion'] : 0;
      return { record: toRecord(out.Item), revoked, version };
    },

    async changeCertificates(deviceId, expectedVersion, change) {
      try {
        const out = await dynamo.send(
          new UpdateCommand({
            TableName: devicesTable,
            Key: { deviceId },
            UpdateExpression: 'SET certificateArn = :arn, certificateId = :id, revokedCertificates = :revoked, certificatesVersion = :next',
            // An item never changed has no version attribute: version 0.
            ConditionExpression:
              expectedVersion === 0
                ? 'attribute_exists(deviceId) AND attribute_not_exists(certificatesVersion)'
                : 'certificatesVersion = :expected',
            ExpressionAttributeValues: {
              ':arn': change.current.certificateArn,
              ':id': change.current.certificateId,
              ':revoked': change.revoked,
              ':next': expectedVersion + 1,
              ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toRecord(out.Attributes ?? {});
      } catch (err) {
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
        return (await get(deviceId)) ? 'conflict' : 'missing';
      }
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
