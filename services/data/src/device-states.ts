/**
 * The device state table (`fleet-latest`), the Data Service's own: one item per device, holding
 * the latest reading (`latest-store.ts`) and presence (`presence.ts`), each part written by its own
 * conditional UpdateItem so neither overwrites the other. This file reads it, for many devices at
 * once: the API Service joins a page of its registry with one `GET /data/device-states` call, which
 * is one BatchGetItem here, never a call per device.
 *
 * Item: `{ deviceId, ts, seq, values, receivedAt, online, lastSeenAt, connectedAt, presenceAt,
 * disconnectReason }`, every attribute but the key optional.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { deviceLimits, type DeviceState, type LatestReading } from '@fleet/core';
import { withBackoff } from './retry.ts';

export interface DeviceStateReader {
  /** The state of each device, in the order given (offline without latest when the table has no item). */
  getMany(deviceIds: readonly string[]): Promise<DeviceState[]>;
}

/** The latest reading of a state item, or undefined before the device's first stored reading. */
export function latestOfItem(item: Readonly<Record<string, unknown>>): LatestReading | undefined {
  if (typeof item['ts'] !== 'number') return undefined;
  return {
    ts: item['ts'],
    seq: Number(item['seq']),
    values: (item['values'] ?? {}) as Record<string, number>,
    receivedAt: Number(item['receivedAt']),
  };
}

/** The wire state of a device from its item (`undefined`: no item). */
export function stateOfItem(deviceId: string, item: Readonly<Record<string, unknown>> | undefined): DeviceState {
  const text = (name: string) => (typeof item?.[name] === 'string' ? { [name]: item[name] } : {});
  const latest = item ? latestOfItem(item) : undefined;
  return {
    deviceId,
    online: item?.['online'] === true,
    ...text('lastSeenAt'),
    ...text('connectedAt'),
    ...text('disconnectReason'),
    ...(latest ? { latest } : {}),
  };
}

/** Rounds of BatchGetItem for keys DynamoDB left unprocessed (it asks callers to back off and retry them). */
const unprocessedRounds = 5;

export function createDeviceStateReader(deps: { client: Pick<DynamoDBDocumentClient, 'send'>; tableName: string }): DeviceStateReader {
  const { client, tableName } = deps;
  return {
    async getMany(deviceIds) {
      const unique = [...new Set(deviceIds)];
      if (unique.length > deviceLimits.maxPage) {
        throw new Error(`at most ${deviceLimits.maxPage} devices per call (one BatchGetItem), received ${unique.length}`);
      }
      const items = new Map<string, Record<string, unknown>>();
      let keys = unique.map((deviceId) => ({ deviceId }));
      for (let round = 0; keys.length > 0; round++) {
        if (round === unprocessedRounds) throw new Error(`BatchGetItem left ${keys.length} keys unprocessed after ${round} rounds`);
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
        const out = await withBackoff(() =>
          client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: false } } })),
        );
        for (const item of out.Responses?.[tableName] ?? []) items.set(String(item['deviceId']), item);
        keys = (out.UnprocessedKeys?.[tableName]?.Keys ?? []) as { deviceId: string }[];
      }
      return deviceIds.map((deviceId) => stateOfItem(deviceId, items.get(deviceId)));
    },
  };
}
