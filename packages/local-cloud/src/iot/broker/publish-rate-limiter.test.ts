import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './publish-rate-limiter.ts';

describe('createRateLimiter', () => {
  it('allows a burst of one second worth of publishes, then refuses until time passes', () => {
    const limiter = createRateLimiter(100, 0);
    for (let i = 0; i < 100; i++) expect(limiter.tryTake(0)).toBe(true);
    expect(limiter.tryTake(0)).toBe(false);
    expect(limiter.tryTake(10)).toBe(true); // 10 ms refill one token at 100/s
    expect(limiter.tryTake(10)).toBe(false);
  });
  it('sustains exactly the configured rate', () => {
    const limiter = createRateLimiter(100, 0);
    let accepted = 0;
    for (let t = 0; t < 10_000; t++) if (limiter.tryTake(t)) accepted++; // one attempt per ms for 10 s
    expect(accepted).toBeGreaterThanOrEqual(1099);
    expect(accepted).toBeLessThanOrEqual(1101);
  });
  it('rejects a non-positive rate', () => {
    expect(() => createRateLimiter(0, 0)).toThrow(/positive/);
  });
});
