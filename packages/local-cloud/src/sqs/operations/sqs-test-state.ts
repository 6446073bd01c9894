/**
 * Test fixture (used by the *.test.ts files of this folder and sqs-state.test.ts): an `SqsState`
 * over the real LevelDB store in a temporary folder, so each operation module is tested directly
 * (state in, result out) with the durability it relies on. `store` can be wrapped to fail or
 * hold a write; `reload()` reads the state back as a restart would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSqsState, type SqsState } from '../sqs-state.ts';
import { openSqsStore, type SqsStore } from '../sqs-store.ts';
import { createQueue } from './queues.ts';

export interface TestState {
  readonly state: SqsState;
  /** Closes the store and loads the state again from the same folder. */
  reload(): Promise<TestState>;
  close(): Promise<void>;
}

export async function openTestState(wrap: (store: SqsStore) => SqsStore = (store) => store, dir?: string): Promise<TestState> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'sqs-operations-')));
  const store = await openSqsStore(folder);
  const state = await loadSqsState(wrap(store));
  return {
    state,
    async reload() {
      state.closed = true;
      await store.close();
      return openTestState(wrap, folder);
    },
    async close() {
      state.closed = true;
      await store.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** Creates a queue with the given attributes and returns its live state. */
export async function testQueue(state: SqsState, name: string, attributes: Record<string, string> = {}) {
  await createQueue(state, name, attributes);
  return state.queues.get(name)!;
}

/** A RedrivePolicy attribute naming `deadLetterQueue` (of the local account). */
export const redrivePolicy = (deadLetterQueue: string, maxReceiveCount: number) =>
  JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${deadLetterQueue}`, maxReceiveCount });
