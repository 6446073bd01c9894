/**
 * The silent-device check of `noData` definitions, on a timer: the devices' last readings come
 * from the device state table (the Data Service's `fleet-latest`, one Scan per pass, only while an
 * enabled noData definition exists), and each silent device watched by a definition is evaluated
 * with `evaluateSilence`. Several tasks may sweep at once: the event time is derived from the last
 * reading, the state write is conditional, so they write one transition between them.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapWithLimit, type AlarmDefinition } from '@fleet/core';
import type { Logger } from 'pino';
import { stateMapKey, type AlarmStateStore } from './alarm-state-store.ts';
import type { DefinitionCache } from './definition-cache.ts';
import { evaluateSilence } from './evaluate.ts';
import type { GroupMembership } from '../group-membership.ts';
import { definitionsWatching } from './scope.ts';
import type { TransitionWriter } from './transition-writer.ts';

export interface SilenceSweep {
  /** One pass; resolves with the number of transitions written. */
  sweep(): Promise<number>;
}

export interface LastReading {
  readonly deviceId: string;
  readonly ts: number;
  readonly seq: number;
}

/** Every device's last reading (ts, seq) from the device state table; devices with presence only are left out. */
export async function* scanLastReadings(client: Pick<DynamoDBDocumentClient, 'send'>, tableName: string): AsyncGenerator<LastReading> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: 'deviceId, #ts, #seq',
        FilterExpression: 'attribute_exists(#ts)',
        ExpressionAttributeNames: { '#ts': 'ts', '#seq': 'seq' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) yield { deviceId: String(item['deviceId']), ts: Number(item['ts']), seq: Number(item['seq']) };
    start = page.LastEvaluatedKey;
  } while (start);
}

export function createSilenceSweep(deps: {
  definitions: DefinitionCache;
  groups: GroupMembership;
  lastReadings: () => AsyncIterable<LastReading>;
  states: Pick<AlarmStateStore, 'getMany'>;
  writer: Pick<TransitionWriter, 'apply'>;
  logger: Logger;
  now?: () => number;
}): SilenceSweep {
  const now = deps.now ?? Date.now;
  return {
    async sweep() {
      const noData = (await deps.definitions.enabled()).filter(
        (d): d is AlarmDefinition & { condition: { kind: 'noData'; silentMinutes: number } } => d.condition.kind === 'noData',
      );
      if (noData.length === 0) return 0;
      const at = now();
      const shortest = Math.min(...noData.map((d) => d.condition.silentMinutes)) * 60_000;
      const silent: LastReading[] = [];
      for await (const last of deps.lastReadings()) if (at - last.ts >= shortest) silent.push(last);
      const pairs: { definition: (typeof noData)[number]; last: LastReading }[] = [];
      await mapWithLimit(silent, 8, async (last) => {
        try {
          for (const definition of await definitionsWatching(noData, last.deviceId, deps.groups)) {
            if (at - last.ts >= definition.condition.silentMinutes * 60_000) pairs.push({ definition, last });
          }
        } catch (err) {
          deps.logger.warn({ err, deviceId: last.deviceId }, 'thing groups of a silent device unreadable; the next pass tries again');
        }
      });
      // One batched read; a write only where a silence begins (or a previous writer left events pending).
      const known = await deps.states.getMany(pairs.map((p) => ({ definitionId: p.definition.id, deviceId: p.last.deviceId })));
      let transitions = 0;
      await mapWithLimit(pairs, 8, async ({ definition, last }) => {
        const stored = known.get(stateMapKey(definition.id, last.deviceId));
        const decide = (current: Parameters<typeof evaluateSilence>[2]) => ({
          ok: true as const,
          ...evaluateSilence(definition, last.deviceId, current, last, at),
        });
        if (decide(stored?.state).events.length === 0 && !stored?.pending.length) return;
        try {
          const decision = await deps.writer.apply(definition.id, last.deviceId, decide, stored ?? null);
          if (decision.ok) transitions += decision.events.length;
        } catch (err) {
          deps.logger.warn({ err, deviceId: last.deviceId }, 'silent-device check failed; the next pass tries again');
        }
      });
      return transitions;
    },
  };
}
