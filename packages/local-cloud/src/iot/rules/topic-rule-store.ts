/**
 * The topic rules and topic rule destinations of the control plane, persisted as one JSON document
 * (`<dataDir>/topic-rules.json`) rewritten atomically and fsync'ed before a change is answered, the
 * registry's pattern: a crash leaves the previous state or the new one, and a restart runs the same rules.
 * Writes are serialized: each change waits for the previous one to be on disk.
 */
import type { TopicRulePayload } from '@fleet/core';
import { readJsonFileSync, writeFileAtomically } from '../../durable-files/atomic-file.ts';

export interface TopicRuleRecord {
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly payload: TopicRulePayload;
  /** Epoch ms. */
  readonly createdAt: number;
}

export type DestinationStatus = 'ENABLED' | 'IN_PROGRESS' | 'DISABLED' | 'ERROR' | 'DELETING';

export interface DestinationRecord {
  readonly arn: string;
  readonly confirmationUrl: string;
  readonly status: DestinationStatus;
  readonly statusReason: string;
  readonly confirmationToken: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly lastUpdatedAt: number;
}

export interface TopicRuleState {
  readonly rules: Readonly<Record<string, TopicRuleRecord>>;
  readonly destinations: Readonly<Record<string, DestinationRecord>>;
}

export interface TopicRuleStore {
  /** The state as last committed (or being committed). */
  readonly state: TopicRuleState;
  /** Replaces the state and resolves once it is on disk. */
  commit(next: TopicRuleState): Promise<void>;
}

export function openTopicRuleStore(file: string): TopicRuleStore {
  const loaded = readJsonFileSync<TopicRuleState>(file, 'the IoT topic rules');
  let state: TopicRuleState = loaded ?? { rules: {}, destinations: {} };
  let tail: Promise<void> = Promise.resolve();
  return {
    get state() {
      return state;
    },
    commit(next) {
      const previous = state;
      state = next;
      const content = JSON.stringify(next);
      const write = tail.then(() => writeFileAtomically(file, content));
      tail = write.catch(() => undefined);
      // A change that could not be made durable is not kept (unless a later one already replaced it).
      return write.catch((err: unknown) => {
        if (state === next) state = previous;
        throw err;
      });
    },
  };
}
