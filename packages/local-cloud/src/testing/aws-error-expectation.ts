/**
 * Test helper: expects an AWS SDK call to fail with an exception name and HTTP status, as the
 * contract tests of the stand-ins check AWS's errors.
 */
import { expect } from 'vitest';

export async function expectAwsError(promise: Promise<unknown>, name: string, status: number): Promise<void> {
  const err = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  expect(err, `expected ${name}`).toBeDefined();
  expect({ name: err?.name, status: err?.$metadata?.httpStatusCode }, err?.message).toEqual({ name, status });
}
