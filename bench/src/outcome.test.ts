import { describe, expect, it } from 'vitest';
import { failedOutcome, settle } from './outcome.ts';

describe('outcomes', () => {
  it('keeps the first line of an error for the table and the whole message with its cause for the JSON', () => {
    const err = new Error('the platform did not start\n--- output ---\nboom', { cause: new Error('EADDRINUSE') });
    expect(failedOutcome(err)).toEqual({
      ok: false,
      error: 'the platform did not start',
      detail: 'the platform did not start\n--- output ---\nboom\nEADDRINUSE',
    });
    expect(failedOutcome('a string')).toEqual({ ok: false, error: 'a string' });
  });

  it('skips what is not enabled, and turns a rejection into a failure instead of throwing', async () => {
    let ran = false;
    expect(
      await settle(false, async () => {
        ran = true;
        return 1;
      }),
    ).toEqual({ ok: 'skipped' });
    expect(ran).toBe(false);
    expect(await settle(true, async () => 42)).toEqual({ ok: true, result: 42 });
    const seen: unknown[] = [];
    const failed = await settle(
      true,
      () => Promise.reject(new Error('no broker')),
      (err) => seen.push(err),
    );
    expect(failed).toMatchObject({ ok: false, error: 'no broker' });
    expect(seen).toHaveLength(1);
  });
});
