import { describe, expect, it } from 'vitest';
import { soakRate } from './soak-rate.ts';

describe('soakRate', () => {
  it('takes --rate first, then half the measured end-to-end rate, then 100/s', () => {
    expect(soakRate(300, 800)).toEqual({ ratePerSecond: 300, rateSource: '--rate' });
    expect(soakRate(undefined, 701)).toEqual({ ratePerSecond: 351, rateSource: 'half the end-to-end rate measured in this run (701/s)' });
    expect(soakRate(undefined, undefined)).toMatchObject({ ratePerSecond: 100 });
    expect(soakRate(undefined, 0)).toMatchObject({ ratePerSecond: 100 });
  });
});
