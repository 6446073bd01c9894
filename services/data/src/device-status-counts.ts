/**
 * Device status counts (`@fleet/core` web-app/device-status-counts.ts) from the device state table:
 * one paged Scan reading only `online`, `connectedAt` and `receivedAt` (a few bytes an item, so 10,000 devices are
 * one or two 1 MB pages), reused for `cacheSeconds`, and shared by callers that ask while a count
 * is running, so a dashboard's refreshes never multiply Scans.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deviceStatusCountsSettings, deviceStatusOf, silentAfterMs, type DeviceStatusCounts, type DeviceStatusInput } from '@fleet/core';
import { withBackoff } from './retry.ts';

export interface DeviceStatusCounter {
  counts(): Promise<DeviceStatusCounts>;
}

/** Counts devices by status at `at`: the whole table's here, a scoped caller's in device-state-routes.ts. */
export function createStatusTally(at: number) {
  const counts = { online: 0, silent: 0, offline: 0 };
  return {
    add(device: DeviceStatusInput) {
      counts[deviceStatusOf(device, at)]++;
    },
    result: (): DeviceStatusCounts => ({
      ...counts,
      total: counts.online + counts.silent + counts.offline,
      silentAfterMs,
      countedAt: new Date(at).toISOString(),
    }),
  };
}

export function createDeviceStatusCounter(deps: {
  client: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
  now?: () => number;
  cacheMs?: number;
}): DeviceStatusCounter {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? deviceStatusCountsSettings.cacheSeconds * 1000;
  let cached: { at: number; answer: Promise<DeviceStatusCounts> } | undefined;

  async function count(at: number): Promise<DeviceStatusCounts> {
    const tally = createStatusTally(at);
    let start: Record<string, unknown> | undefined;
    do {
      const page = await withBackoff(() =>
        deps.client.send(
          new ScanCommand({
            TableName: deps.tableName,
            // `online` is a DynamoDB reserved word.
            ProjectionExpression: '#online, connectedAt, receivedAt',
            ExpressionAttributeNames: { '#online': 'online' },
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const { receivedAt, connectedAt } = item;
        tally.add({
          online: item['online'] === true,
          ...(typeof connectedAt === 'string' ? { connectedAt } : {}),
          ...(typeof receivedAt === 'number' ? { latest: { receivedAt } } : {}),
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return tally.result();
  }

  return {
    counts() {
      const at = now();
      if (!cached || at - cached.at >= cacheMs) {
        const answer = count(at);
        cached = { at, answer };
        // A failed count is not reused: the next caller tries again.
        answer.catch(() => {
          if (cached?.answer === answer) cached = undefined;
        });
      }
      return cached.answer;
    },
  };
}
