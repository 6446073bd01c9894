/**
 * Test fixture (used by sqs-queue-operations.test.ts and sqs-message-operations.test.ts): an SQS
 * engine over its real store in a temporary folder, and a way to call one wire operation directly
 * with a JSON input, as the JSON protocol handler would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonOperation } from '../aws-endpoint/index.ts';
import { createSqsEngine, type SqsEngine } from './sqs-engine.ts';
import { openSqsStore } from './sqs-store.ts';

export const baseUrl = 'http://127.0.0.1:4566';

export async function openTestEngine(): Promise<{ engine: SqsEngine; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sqs-wire-'));
  const engine = await createSqsEngine({ store: await openSqsStore(dir) });
  return {
    engine,
    async close() {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Calls `name` of `operations` with `input`; resolves with its output as JSON would carry it. */
export async function call(
  operations: Record<string, JsonOperation>,
  name: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const operation = operations[name];
  if (!operation) throw new Error(`no operation ${name}; expected one of ${Object.keys(operations).join(', ')}`);
  return JSON.parse(JSON.stringify(await operation(input, {}))) as Record<string, unknown>;
}
