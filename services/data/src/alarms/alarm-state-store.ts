/**
 * Each device's alarm of a definition with its evaluation state, one item (`pk = alarm#<definitionId>`,
 * `sk = <deviceId>`), written only with a condition on its `version` (optimistic lock): of two
 * writers that read the same version, one wins and the other reads again. The item also carries
 * the `pending` events of its last transition until they are written as event and outbox items:
 * the transition and its events are decided in one single-item write, which DynamoDB applies
 * atomically, so no transaction is needed (transition-writer.ts).
 */
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AlarmEvent, AlarmStatus } from '@fleet/core';
import { conditionFailed, stateKey, statePartition } from './alarm-items.ts';
import type { DeviceAlarmState, EvaluationState } from './evaluate.ts';

export interface StoredAlarmState {
  readonly definitionId: string;
  readonly deviceId: string;
  readonly state: DeviceAlarmState;
  readonly version: number;
  /** Events of the last transition not yet known to be written as event and outbox items. */
  readonly pending: readonly AlarmEvent[];
}

export interface AlarmListQuery {
  readonly statuses?: readonly AlarmStatus[];
  readonly deviceId?: string;
  /** Definitions to look in, in this order (the caller resolves "all" to the list). */
  readonly definitionIds: readonly string[];
  readonly limit: number;
  /** Resume after this (definitionId, deviceId). */
  readonly after?: { readonly definitionId: string; readonly deviceId: string };
}

export interface AlarmStateStore {
  get(definitionId: string, deviceId: string): Promise<StoredAlarmState | undefined>;
  /** Many at once (BatchGetItem, 100 keys a call); absent keys are absent from the map (`definitionId\0deviceId`). */
  getMany(keys: readonly { definitionId: string; deviceId: string }[]): Promise<Map<string, StoredAlarmState>>;
  /**
   * Writes the state if the item is still at `readVersion` (absent when `undefined`); `false` when
   * another writer came first. The new version is `readVersion + 1`.
   */
  put(
    definitionId: string,
    deviceId: string,
    state: DeviceAlarmState,
    readVersion: number | undefined,
    pending: readonly AlarmEvent[],
  ): Promise<boolean>;
  /**
   * Forgets the pending events once written, unless another transition came meanwhile; `true` for
   * the one caller that removed them (it publishes them: exactly one of the writers that raced).
   */
  clearPending(definitionId: string, deviceId: string, version: number): Promise<boolean>;
  /** Alarms (items with an alarm) in (definitionId, deviceId) order. */
  list(query: AlarmListQuery): Promise<{ alarms: StoredAlarmState[]; more: boolean }>;
  /** Every state of a definition (deleting a definition clears and removes them). */
  listOfDefinition(definitionId: string): Promise<StoredAlarmState[]>;
  remove(definitionId: string, deviceId: string): Promise<void>;
}

export const stateMapKey = (definitionId: string, deviceId: string) => `${definitionId}\u0000${deviceId}`;

function fromItem(item: Record<string, unknown>): StoredAlarmState {
  const alarm = item['alarm'] as DeviceAlarmState['alarm'];
  return {
    definitionId: item['definitionId'] as string,
    deviceId: item['sk'] as string,
    version: item['version'] as number,
    state: { evaluation: item['evaluation'] as EvaluationState, ...(alarm ? { alarm } : {}) },
    pending: (item['pending'] as AlarmEvent[] | undefined) ?? [],
  };
}

export function createAlarmStateStore(deps: { client: Pick<DynamoDBDocumentClient, 'send'>; tableName: string }): AlarmStateStore {
  const { client, tableName } = deps;

  async function queryPartition(definitionId: string, options: { after?: string; filter?: AlarmListQuery; limit?: number }) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': statePartition(definitionId) };
    const filters = ['attribute_exists(alarm)'];
    if (options.filter?.statuses?.length) {
      names['#status'] = 'status';
      filters.push(`#status IN (${options.filter.statuses.map((_, i) => `:s${i}`).join(', ')})`);
      options.filter.statuses.forEach((s, i) => (values[`:s${i}`] = s));
    }
    const found: StoredAlarmState[] = [];
    let start: Record<string, unknown> | undefined = options.after ? stateKey(definitionId, options.after) : undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ...(options.filter ? { FilterExpression: filters.join(' AND ') } : {}),
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ExclusiveStartKey: start,
        }),
      );
      found.push(...(page.Items ?? []).map(fromItem));
      start = page.LastEvaluatedKey;
    } while (start && (options.limit === undefined || found.length <= options.limit));
    return { found, exhausted: start === undefined };
  }

  const store: AlarmStateStore = {
    async get(definitionId, deviceId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: stateKey(definitionId, deviceId), ConsistentRead: true }),
      );
      return Item ? fromItem(Item) : undefined;
    },

    async getMany(keys) {
      const found = new Map<string, StoredAlarmState>();
      for (let i = 0; i < keys.length; i += 100) {
        let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
          [tableName]: { Keys: keys.slice(i, i + 100).map((k) => stateKey(k.definitionId, k.deviceId)), ConsistentRead: true },
        };
        for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
          if (attempt > 8) throw new Error(`BatchGetItem left ${request[tableName]?.Keys.length ?? 0} alarm states unprocessed`);
          const answer = await client.send(new BatchGetCommand({ RequestItems: request }));
          for (const item of answer.Responses?.[tableName] ?? []) {
            const s = fromItem(item);
            found.set(stateMapKey(s.definitionId, s.deviceId), s);
          }
          request = answer.UnprocessedKeys as typeof request;
        }
      }
      return found;
    },

    async put(definitionId, deviceId, state, readVersion, pending) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...stateKey(definitionId, deviceId),
              definitionId,
              version: (readVersion ?? 0) + 1,
              evaluation: state.evaluation,
              ...(state.alarm ? { alarm: state.alarm, status: state.alarm.status } : {}),
              ...(pending.length > 0 ? { pending } : {}),
            },
            ConditionExpression: readVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :read',
            ...(readVersion === undefined ? {} : { ExpressionAttributeValues: { ':read': readVersion } }),
          }),
        );
        return true;
      } catch (err) {
        if (conditionFailed(err)) return false;
        throw err;
      }
    },

    async clearPending(definitionId, deviceId, version) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: stateKey(definitionId, deviceId),
            UpdateExpression: 'REMOVE pending',
            ConditionExpression: 'version = :v AND attribute_exists(pending)',
            ExpressionAttributeValues: { ':v': version },
          }),
        );
        return true;
      } catch (err) {
        // Another writer removed them, or a newer transition took over after writing them (transition-writer.ts).
        if (!conditionFailed(err)) throw err;
        return false;
      }
    },

    async list(query) {
      const alarms: StoredAlarmState[] = [];
      const startAt = query.after ? Math.max(0, query.definitionIds.indexOf(query.after.definitionId)) : 0;
      const definitionIds = query.definitionIds.slice(startAt);
      const wanted = (s: StoredAlarmState | undefined): s is StoredAlarmState =>
        s?.state.alarm !== undefined && (!query.statuses?.length || query.statuses.includes(s.state.alarm.status));
      if (query.deviceId !== undefined) {
        // One device: its item of each definition, read in batches (at most 200 definitions).
        const deviceId = query.deviceId;
        const found = await store.getMany(definitionIds.map((definitionId) => ({ definitionId, deviceId })));
        for (const definitionId of definitionIds) {
          if (query.after?.definitionId === definitionId) continue;
          const s = found.get(stateMapKey(definitionId, deviceId));
          if (wanted(s)) alarms.push(s);
        }
      } else {
        for (const definitionId of definitionIds) {
          const after = query.after?.definitionId === definitionId ? query.after.deviceId : undefined;
          const want = query.limit + 1 - alarms.length;
          const { found } = await queryPartition(definitionId, { ...(after ? { after } : {}), filter: query, limit: want });
          alarms.push(...found);
          if (alarms.length > query.limit) break;
        }
      }
      return { alarms: alarms.slice(0, query.limit), more: alarms.length > query.limit };
    },

    async listOfDefinition(definitionId) {
      return (await queryPartition(definitionId, {})).found;
    },

    async remove(definitionId, deviceId) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: stateKey(definitionId, deviceId) }));
    },
  };
  return store;
}
