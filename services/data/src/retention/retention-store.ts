/**
 * The retention settings (data-life/retention.ts) in the Data Service's control table
 * (`pk = settings`, `sk = retention`): the defaults until someone changes them. Each task caches
 * them for at most 30 s, so a change reaches every task's new items within that and a reading does
 * not cost a read of its own.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { defaultRetentionSettings, type RetentionSettings, type RetentionSettingsInput } from '@fleet/core';
import { withBackoff } from '../retry.ts';

export interface RetentionStore {
  /** The current settings (cached ≤ `cacheMs`). */
  get(): Promise<RetentionSettings>;
  /** Replaces the settings, recording who and when (`now`); the cache of this task is refreshed at once. */
  put(input: RetentionSettingsInput, updatedBy: string): Promise<RetentionSettings>;
}

export interface RetentionStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default 30000 */
  readonly cacheMs?: number;
  readonly now?: () => number;
}

const key = { pk: 'settings', sk: 'retention' } as const;

export function createRetentionStore(options: RetentionStoreOptions): RetentionStore {
  const { client, tableName } = options;
  const cacheMs = options.cacheMs ?? 30_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; settings: Promise<RetentionSettings> } | undefined;

  async function load(): Promise<RetentionSettings> {
    const out = await withBackoff(() => client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })));
    const item = out.Item;
    if (!item) return defaultRetentionSettings;
    return {
      fleet: item['fleet'] as RetentionSettings['fleet'],
      groups: (item['groups'] ?? {}) as RetentionSettings['groups'],
      ...(typeof item['updatedAt'] === 'string' ? { updatedAt: item['updatedAt'] } : {}),
      ...(typeof item['updatedBy'] === 'string' ? { updatedBy: item['updatedBy'] } : {}),
    };
  }

  return {
    get() {
      if (cached && now() - cached.at < cacheMs) return cached.settings;
      const entry = { at: now(), settings: load() };
      cached = entry;
      // A failed read is not cached: the next call asks again.
      entry.settings.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return entry.settings;
    },
    async put(input, updatedBy) {
      const settings: RetentionSettings = { fleet: input.fleet, groups: input.groups, updatedAt: new Date(now()).toISOString(), updatedBy };
      await withBackoff(() => client.send(new PutCommand({ TableName: tableName, Item: { ...key, ...settings } })));
      cached = { at: now(), settings: Promise.resolve(settings) };
      return settings;
    },
  };
}
