/**
 * Live readings for users granted thing groups (`@fleet/core` device-access.ts): their browser IoT
 * policy allows only `topics.groupTelemetry(group, *)` of their groups, never the devices' own
 * telemetry topics, so after a reading is stored the Data Service re-publishes the device's own
 * payload there (QoS 0, IoT data plane Publish), once per granted group the device is in.
 *
 * Best effort, and never in the way of storing: `offer` returns at once; publishes run in the
 * background, at most `maxInFlight` at a time, and readings beyond `maxQueued` waiting are dropped.
 * Failures and drops are counted (`GroupLiveFailed`) and logged, never retried: a live view
 * misses a point, the stored readings are whole.
 */
import { PublishCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { dataServiceMetrics, topics } from '@fleet/core';
import type { Logger } from 'pino';
import type { Metrics } from '../emf.ts';
import type { GrantedGroups } from './granted-groups.ts';

/** A stored reading's device and the payload it published. */
export interface LiveReading {
  readonly deviceId: string;
  readonly payload: Uint8Array;
}

export interface GroupRepublisher {
  /** Queues stored readings for their granted groups' live topics; never throws, never waits. */
  offer(readings: readonly LiveReading[]): void;
  /** Resolves once every offered reading is published or given up (shutdown, tests). */
  idle(): Promise<void>;
}

export interface GroupRepublisherDeps {
  readonly iotData: Pick<IoTDataPlaneClient, 'send'>;
  readonly granted: GrantedGroups;
  readonly metrics: Pick<Metrics, 'count'>;
  readonly logger: Logger;
  /** Readings being looked up or published at once. @default 16 */
  readonly maxInFlight?: number;
  /** Readings waiting their turn; more are dropped. @default 5000 */
  readonly maxQueued?: number;
}

export function createGroupRepublisher(deps: GroupRepublisherDeps): GroupRepublisher {
  const { metrics, logger } = deps;
  const maxInFlight = deps.maxInFlight ?? 16;
  const maxQueued = deps.maxQueued ?? 5_000;
  const waiting: LiveReading[] = [];
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];
  /** Failures are logged once per kind and minute at most: a broken data plane must not flood the log. */
  let lastLogAt = 0;

  function failed(err: unknown, count: number, what: string) {
    metrics.count(dataServiceMetrics.groupLiveFailed, count);
    const at = Date.now();
    if (at - lastLogAt >= 60_000) {
      lastLogAt = at;
      logger.warn({ err, count }, `group live re-publish ${what}; the readings are stored, live views miss them`);
    }
  }

  async function publish(reading: LiveReading): Promise<void> {
    const groups = await deps.granted.groupsOf(reading.deviceId);
    const outcomes = await Promise.allSettled(
      groups.map((g) =>
        deps.iotData.send(new PublishCommand({ topic: topics.groupTelemetry(g, reading.deviceId), qos: 0, payload: reading.payload })),
      ),
    );
    const failures = outcomes.filter((o) => o.status === 'rejected');
    if (groups.length > failures.length) metrics.count(dataServiceMetrics.groupLivePublished, groups.length - failures.length);
    if (failures[0]) failed(failures[0].reason, failures.length, 'failed');
  }

  function pump() {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const reading = waiting.shift() as LiveReading;
      inFlight++;
      publish(reading)
        .catch((err: unknown) => failed(err, 1, 'failed'))
        .finally(() => {
          inFlight--;
          pump();
        });
    }
    if (inFlight === 0 && waiting.length === 0) {
      const resolve = idleWaiters;
      idleWaiters = [];
      for (const r of resolve) r();
    }
  }

  return {
    offer(readings) {
      const room = Math.max(0, maxQueued - waiting.length);
      waiting.push(...readings.slice(0, room));
      if (readings.length > room) failed(new Error(`${maxQueued} readings already wait`), readings.length - room, 'dropped');
      pump();
    },
    idle: () => (inFlight === 0 && waiting.length === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
  };
}
