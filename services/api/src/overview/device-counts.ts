/**
 * How many devices are online, offline and silent: every registered device (the registry, the
 * API's own table) joined with its state (presence and latest reading, the Data Service's),
 * judged by core's `deviceStatusOf`. The registry is read as ids only (a Scan projecting
 * `deviceId`: 10,000 ids are about 300 KB, one or two Scan pages) and the states in pages of 100
 * (one BatchGetItem each at the Data Service), a few pages at once.
 *
 * A device the Data Service knows but the registry does not (revoked) is not counted; one the
 * registry has but the Data Service never heard of is offline.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { chunk, deviceLimits, deviceStatusOf, mapWithLimit, silentAfterMs, type DeviceCounts } from '@fleet/core';
import type { ApiClients } from '../aws-clients.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';

export type AvailableDeviceCounts = Extract<DeviceCounts, { available: true }>;

export interface DeviceCountsDeps {
  readonly dynamo: ApiClients['dynamo'];
  readonly devicesTable: string;
  readonly dataService: Pick<DataServiceClient, 'deviceStates'>;
  /** Pages of device states asked at once. @default 4 */
  readonly concurrency?: number;
}

/** Every registered device id, by a Scan that reads the key only. */
export async function registeredDeviceIds(deps: Pick<DeviceCountsDeps, 'dynamo' | 'devicesTable'>): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await deps.dynamo.send(
      new ScanCommand({ TableName: deps.devicesTable, ProjectionExpression: 'deviceId', ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    for (const item of out.Items ?? []) if (typeof item['deviceId'] === 'string') ids.push(item['deviceId']);
    start = out.LastEvaluatedKey;
  } while (start);
  return ids;
}

/** Counts the fleet's devices by status at `now`, asking the Data Service with the caller's token. */
export async function countDevices(deps: DeviceCountsDeps, accessToken: string, now: number): Promise<AvailableDeviceCounts> {
  return countDevicesOf(deps, await registeredDeviceIds(deps), accessToken, now);
}

/** Counts these devices by status at `now` (the fleet's, or a scoped caller's: auth/device-scope.ts). */
export async function countDevicesOf(
  deps: Pick<DeviceCountsDeps, 'dataService' | 'concurrency'>,
  ids: readonly string[],
  accessToken: string,
  now: number,
): Promise<AvailableDeviceCounts> {
  const counts = { online: 0, offline: 0, silent: 0 };
  await mapWithLimit(chunk(ids, deviceLimits.maxPage), deps.concurrency ?? 4, async (page) => {
    for (const state of await deps.dataService.deviceStates(page, accessToken)) counts[deviceStatusOf(state, now)]++;
  });
  return { available: true, total: ids.length, ...counts, silentAfterMs };
}
