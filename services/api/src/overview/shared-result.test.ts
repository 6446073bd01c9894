import { describe, expect, it } from 'vitest';
import { sharedResult } from './shared-result.ts';

describe('sharedResult', () => {
  it('runs one computation for callers that come while it runs, reuses it for a while, then computes again', async () => {
    const clock = { now: 0 };
    let runs = 0;
    let release: (v: number) => void = () => {};
    const shared = sharedResult(
      5_000,
      () => clock.now,
      () => new Promise<number>((resolve) => ((runs += 1), (release = resolve))),
    );
    const first = shared();
    const second = shared();
    release(42);
    expect(await Promise.all([first, second])).toEqual([42, 42]);
    expect(runs).toBe(1);
    clock.now = 4_999;
    expect(await shared()).toBe(42);
    expect(runs).toBe(1);
    clock.now = 5_000;
    const third = shared();
    release(43);
    expect(await third).toBe(43);
    expect(runs).toBe(2);
  });

  it('does not keep a failure: the next caller computes again', async () => {
    let runs = 0;
    const shared = sharedResult(
      5_000,
      () => 0,
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('registry unavailable');
        return 'counted';
      },
    );
    await expect(shared()).rejects.toThrow('registry unavailable');
    expect(await shared()).toBe('counted');
  });
});
