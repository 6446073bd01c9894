/**
 * Alarm definitions in the `fleet-alarms` table (`pk = def`): one partition, at most
 * `alarmLimits.maxDefinitions` items, so listing them is one Query. Every change moves `version`
 * (a conditional write), which a PUT may name as `expectedVersion`, and which tells the evaluator
 * that its state was computed under other rules.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { alarmLimits, type AlarmDefinition, type AlarmDefinitionInput } from '@fleet/core';
import { conditionFailed, definitionKey, definitionsPartition } from './alarm-items.ts';

export type DefinitionChange =
  | { readonly ok: true; readonly definition: AlarmDefinition }
  | {
      readonly ok: false;
      readonly code: 'AlarmDefinitionNotFound' | 'AlarmStateConflict' | 'AlarmLimitExceeded';
      readonly message: string;
    };

export interface DefinitionStore {
  list(): Promise<AlarmDefinition[]>;
  get(id: string): Promise<AlarmDefinition | undefined>;
  create(input: AlarmDefinitionInput, by: string, now?: Date): Promise<DefinitionChange>;
  update(id: string, input: AlarmDefinitionInput, expectedVersion: number | undefined, now?: Date): Promise<DefinitionChange>;
  /** Deletes the definition; answers what it was (the caller clears its open alarms). */
  delete(id: string): Promise<AlarmDefinition | undefined>;
}

type Stored = Omit<AlarmDefinition, 'version'>;

const fromItem = (item: Record<string, unknown>): AlarmDefinition => ({
  ...(item['definition'] as Stored),
  version: item['version'] as number,
});

/** The definition's fields from an input, with the defaults of the contract. */
function fieldsOf(input: AlarmDefinitionInput) {
  return {
    name: input.name,
    ...(input.description === undefined ? {} : { description: input.description }),
    scope: input.scope,
    condition: input.condition,
    duration: input.duration ?? { kind: 'immediate' as const },
    severity: input.severity,
    enabled: input.enabled ?? true,
    autoClear: input.autoClear ?? true,
  };
}

export function createDefinitionStore(deps: { client: Pick<DynamoDBDocumentClient, 'send'>; tableName: string }): DefinitionStore {
  const { client, tableName } = deps;

  const store: DefinitionStore = {
    async list() {
      const definitions: AlarmDefinition[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': definitionsPartition },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        definitions.push(...(page.Items ?? []).map(fromItem));
        start = page.LastEvaluatedKey;
      } while (start);
      return definitions;
    },

    async get(id) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: definitionKey(id), ConsistentRead: true }));
      return Item ? fromItem(Item) : undefined;
    },

    async create(input, by, now = new Date()) {
      // Counted before the write: two creations at the same moment may pass the limit by one each,
      // which a limit meant to keep the evaluator's work bounded tolerates.
      const { Count = 0 } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': definitionsPartition },
          Select: 'COUNT',
        }),
      );
      if (Count >= alarmLimits.maxDefinitions) {
        return {
          ok: false,
          code: 'AlarmLimitExceeded',
          message: `At most ${alarmLimits.maxDefinitions} alarm definitions; delete one first`,
        };
      }
      const at = now.toISOString();
      const definition: AlarmDefinition = { id: randomUUID(), ...fieldsOf(input), createdBy: by, createdAt: at, updatedAt: at, version: 1 };
      const { version, ...stored } = definition;
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...definitionKey(definition.id), definition: stored, version },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { ok: true, definition };
    },

    async update(id, input, expectedVersion, now = new Date()) {
      const current = await store.get(id);
      if (!current) return { ok: false, code: 'AlarmDefinitionNotFound', message: `No alarm definition "${id}"` };
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        return {
          ok: false,
          code: 'AlarmStateConflict',
          message: `The definition is at version ${current.version}, expectedVersion was ${expectedVersion}`,
        };
      }
      const definition: AlarmDefinition = {
        ...fieldsOf(input),
        id,
        createdBy: current.createdBy,
        createdAt: current.createdAt,
        updatedAt: now.toISOString(),
        version: current.version + 1,
      };
      const { version, ...stored } = definition;
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: definitionKey(id),
            UpdateExpression: 'SET #d = :d, version = :next',
            ConditionExpression: 'version = :read',
            ExpressionAttributeNames: { '#d': 'definition' },
            ExpressionAttributeValues: { ':d': stored, ':next': version, ':read': current.version },
          }),
        );
      } catch (err) {
        if (!conditionFailed(err)) throw err;
        return { ok: false, code: 'AlarmStateConflict', message: 'The definition changed meanwhile; read it again' };
      }
      return { ok: true, definition };
    },

    async delete(id) {
      try {
        const { Attributes } = await client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: definitionKey(id),
            ConditionExpression: 'attribute_exists(pk)',
            ReturnValues: 'ALL_OLD',
          }),
        );
        return Attributes ? fromItem(Attributes) : undefined;
      } catch (err) {
        if (conditionFailed(err)) return undefined;
        throw err;
      }
    },
  };
  return store;
}
