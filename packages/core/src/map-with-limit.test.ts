import { describe, expect, it } from 'vitest';
import { chunk, mapWithLimit } from './map-with-limit.ts';

describe('mapWithLimit', () => {
  it('keeps the input order while tasks finish out of order, with at most `limit` in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const results = await mapWithLimit([30, 5, 20, 1, 10, 15], 3, async (ms) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      return ms * 2;
    });
    expect(results).toEqual([60, 10, 40, 2, 20, 30]);
    expect(maxInFlight).toBe(3);
  });

  it('answers an empty list without calling the task', async () => {
    expect(await mapWithLimit([], 4, () => Promise.reject(new Error('not called')))).toEqual([]);
  });

  it('rejects with the first task failure', async () => {
    await expect(mapWithLimit([1, 2, 3], 2, async (n) => (n === 2 ? Promise.reject(new Error('two')) : n))).rejects.toThrow('two');
  });
});

describe('chunk', () => {
  it('splits in order into pieces of at most the size, the last one shorter', () => {
    expect(chunk([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(chunk([1, 2, 3], 3)).toEqual([[1, 2, 3]]);
  });

  it('answers no piece for an empty list', () => {
    expect(chunk([], 10)).toEqual([]);
  });
});
