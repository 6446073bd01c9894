/**
 * The overview answer, put together from four sources asked at once: the registry with the Data
 * Service's device states, the Data Service's alarms and dead letters, and CloudWatch. Each part
 * stands alone: a source that fails or does not answer within `partTimeoutMs` makes its part
 * `{ available: false, reason }` (logged with the cause), and the rest is still answered — a
 * landing page must not go blank because CloudWatch is slow.
 */
import { can, type Overview } from '@fleet/core';
import type { Caller } from '@fleet/core/tokens';
import type { Logger } from 'pino';
import { awsErrorName, type ApiClients } from '../aws-clients.ts';
import { ApiError } from '../errors.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';
import { summarizeActiveAlarms } from './active-alarms.ts';
import { countDevices, countDevicesOf } from './device-counts.ts';
import type { IndexScope } from '../devices/device-index.ts';
import { recentDeadLetters } from './recent-dead-letters.ts';
import { readThroughput } from './throughput.ts';
import { sharedResult } from './shared-result.ts';

export interface OverviewDeps {
  readonly clients: Pick<ApiClients, 'dynamo' | 'cloudwatch'>;
  readonly devicesTable: string;
  readonly dataService: Pick<DataServiceClient, 'get' | 'deviceStates'>;
  readonly logger: Logger;
  /** How long one part may take before it is answered as unavailable. @default 8000 */
  readonly partTimeoutMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** How long one count of the devices serves every caller (they are the same for every role that may read devices). @default 5000 */
  readonly deviceCountsReuseMs?: number;
}

type Unavailable = { readonly available: false; readonly reason: string };

/** What a person reads when a part's source failed: which source, and its own words when they are ours. */
function reasonOf(source: string, err: unknown): string {
  if (err instanceof ApiError) return err.message;
  const name = awsErrorName(err);
  if (name === 'TimeoutError' || name === 'AbortError') return `${source} did not answer in time`;
  return name ? `${source} did not answer (${name})` : `${source} did not answer`;
}

export function createOverview(deps: OverviewDeps) {
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.partTimeoutMs ?? 8_000;
  // One organisation: every caller who may read devices sees the same counts, so they can be shared.
  const sharedDeviceCounts = sharedResult(deps.deviceCountsReuseMs ?? 5_000, now, (token: string) =>
    countDevices({ dynamo: deps.clients.dynamo, devicesTable: deps.devicesTable, dataService: deps.dataService }, token, now()),
  );

  /** The part, or `unavailable` once it failed or `timeoutMs` passed. */
  async function part<T>(name: string, source: string, load: () => Promise<T>): Promise<T | Unavailable> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`${name}: no answer within ${timeoutMs} ms`), { name: 'TimeoutError' })),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([load(), deadline]);
    } catch (err) {
      deps.logger.warn({ err, part: name }, 'overview part unavailable');
      return { available: false, reason: reasonOf(source, err) };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    /**
     * The overview as `caller` may see it: dead letters only for roles that may read them. A scoped
     * caller (`visible`: the devices they may reach) gets the counts of their devices, their alarms
     * (the Data Service leaves out the others), and neither the fleet's throughput nor its dead letters.
     */
    async answer(caller: Caller, visible?: IndexScope): Promise<Overview> {
      const at = now();
      const token = caller.accessToken;
      const fleetOnly: Unavailable = { available: false, reason: 'Shown to users who may see every device' };
      const [devices, alarms, throughput, deadLetters] = await Promise.all([
        part('devices', 'The device registry', () =>
          visible ? countDevicesOf(deps, [...visible.ids], token, now()) : sharedDeviceCounts(token),
        ),
        part('alarms', 'The data service', () => summarizeActiveAlarms(deps.dataService, token)),
        visible
          ? fleetOnly
          : part('throughput', 'CloudWatch', () => readThroughput({ cloudwatch: deps.clients.cloudwatch, timeoutMs }, at)),
        !visible && can(caller.role, 'readDeadLetters')
          ? part('deadLetters', 'The data service', () => recentDeadLetters(deps.dataService, token))
          : undefined,
      ]);
      return { generatedAt: new Date(at).toISOString(), devices, alarms, throughput, ...(deadLetters ? { deadLetters } : {}) };
    },
  };
}

export type OverviewService = ReturnType<typeof createOverview>;
