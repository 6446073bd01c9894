/**
 * Alarms on ingest: after a flush's readings are durable, each device's readings are evaluated
 * against the enabled definitions that watch it, with one batched state read and at most one
 * conditional write per (definition, device) per flush, nothing at all when no enabled definition
 * exists. The answer names the devices whose evaluation is not durable: their messages are left
 * for redelivery, which is harmless (readings at or before a state's last (ts, seq) are skipped).
 */
import { mapWithLimit, type AlarmDefinition, type Reading } from '@fleet/core';
import type { Logger } from 'pino';
import { stateMapKey, type AlarmStateStore } from './alarm-state-store.ts';
import type { DefinitionCache } from './definition-cache.ts';
import { evaluateReadings } from './evaluate.ts';
import type { GroupMembership } from '../group-membership.ts';
import { definitionsWatching } from './scope.ts';
import type { TransitionWriter } from './transition-writer.ts';

export interface AlarmEvaluation {
  /** Devices whose alarm evaluation failed: their messages must be redelivered. */
  readonly failedDevices: ReadonlySet<string>;
  /** Events written (transitions). */
  readonly transitions: number;
}

export interface AlarmEngine {
  evaluate(readings: readonly Reading[]): Promise<AlarmEvaluation>;
}

const byTsSeq = (a: Reading, b: Reading) => a.ts - b.ts || a.seq - b.seq;

export function createAlarmEngine(deps: {
  definitions: DefinitionCache;
  groups: GroupMembership;
  states: Pick<AlarmStateStore, 'getMany'>;
  writer: Pick<TransitionWriter, 'apply'>;
  logger: Logger;
  /** Writes in flight at once. @default 8 */
  concurrency?: number;
}): AlarmEngine {
  const { logger } = deps;
  return {
    async evaluate(readings) {
      const failedDevices = new Set<string>();
      if (readings.length === 0) return { failedDevices, transitions: 0 };
      let definitions: readonly AlarmDefinition[];
      try {
        definitions = await deps.definitions.enabled();
      } catch (err) {
        logger.error({ err }, 'alarm definitions unreadable; the flush is retried');
        for (const r of readings) failedDevices.add(r.deviceId);
        return { failedDevices, transitions: 0 };
      }
      if (definitions.length === 0) return { failedDevices, transitions: 0 };

      const byDevice = new Map<string, Reading[]>();
      for (const r of readings) {
        const list = byDevice.get(r.deviceId);
        if (list) list.push(r);
        else byDevice.set(r.deviceId, [r]);
      }
      const pairs: { definition: AlarmDefinition; deviceId: string; readings: Reading[] }[] = [];
      await mapWithLimit([...byDevice], deps.concurrency ?? 8, async ([deviceId, deviceReadings]) => {
        try {
          const watching = await definitionsWatching(definitions, deviceId, deps.groups);
          const sorted = deviceReadings.sort(byTsSeq);
          for (const definition of watching) pairs.push({ definition, deviceId, readings: sorted });
        } catch (err) {
          logger.error({ err, deviceId }, 'thing groups of a device unreadable; its messages are retried');
          failedDevices.add(deviceId);
        }
      });
      if (pairs.length === 0) return { failedDevices, transitions: 0 };

      let known;
      try {
        known = await deps.states.getMany(pairs.map((p) => ({ definitionId: p.definition.id, deviceId: p.deviceId })));
      } catch (err) {
        logger.error({ err, states: pairs.length }, 'alarm states unreadable; the flush is retried');
        for (const p of pairs) failedDevices.add(p.deviceId);
        return { failedDevices, transitions: 0 };
      }
      let transitions = 0;
      await mapWithLimit(pairs, deps.concurrency ?? 8, async ({ definition, deviceId, readings: batch }) => {
        const stored = known.get(stateMapKey(definition.id, deviceId));
        // Outside a silence a reading changes nothing of a noData alarm: no write at all.
        if (definition.condition.kind === 'noData' && !stored?.state.evaluation.holding && !stored?.pending.length) return;
        try {
          const decision = await deps.writer.apply(
            definition.id,
            deviceId,
            (current) => ({ ok: true, ...evaluateReadings(definition, deviceId, current, batch) }),
            stored ?? null,
          );
          if (decision.ok) transitions += decision.events.length;
        } catch (err) {
          logger.error({ err, deviceId, definitionId: definition.id }, 'alarm evaluation not durable; its messages are retried');
          failedDevices.add(deviceId);
        }
      });
      return { failedDevices, transitions };
    },
  };
}
