/**
 * The enabled alarm definitions as ingest sees them: read from the table at most once every few
 * seconds, so a flush does not read them per message. A change through this task's routes is seen
 * at once (`invalidate`); another task's within `ttlMs`.
 */
import type { AlarmDefinition } from '@fleet/core';
import type { DefinitionStore } from './definition-store.ts';

export interface DefinitionCache {
  /** The enabled definitions (cached). */
  enabled(): Promise<readonly AlarmDefinition[]>;
  invalidate(): void;
}

export function createDefinitionCache(deps: { store: Pick<DefinitionStore, 'list'>; ttlMs?: number; now?: () => number }): DefinitionCache {
  const ttlMs = deps.ttlMs ?? 5_000;
  const now = deps.now ?? Date.now;
  let cached: { at: number; definitions: Promise<readonly AlarmDefinition[]> } | undefined;
  return {
    enabled() {
      if (!cached || now() - cached.at >= ttlMs) {
        const definitions = deps.store.list().then((all) => all.filter((d) => d.enabled));
        const entry = { at: now(), definitions };
        cached = entry;
        // A failed read is not cached: the next flush asks again.
        definitions.catch(() => {
          if (cached === entry) cached = undefined;
        });
      }
      return cached.definitions;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
