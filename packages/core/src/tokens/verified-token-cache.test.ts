import { describe, expect, it } from 'vitest';
import { createVerifiedTokenCache } from './verified-token-cache.ts';

describe('createVerifiedTokenCache', () => {
  it('answers a token until its exp, and nothing from then on', () => {
    let clock = 1_000_000;
    const cache = createVerifiedTokenCache<string>({ now: () => clock });
    cache.set('token-a', 'claims-a', 1_060); // exp = 1,060 s = 1,060,000 ms
    expect(cache.get('token-a')).toBe('claims-a');
    expect(cache.get('token-b')).toBeUndefined();
    clock = 1_059_999;
    expect(cache.get('token-a')).toBe('claims-a');
    clock = 1_060_000;
    expect(cache.get('token-a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not keep a token that has already expired', () => {
    const cache = createVerifiedTokenCache<string>({ now: () => 2_000_000 });
    cache.set('late', 'claims', 1_999);
    expect(cache.get('late')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries tokens, dropping the oldest first', () => {
    const cache = createVerifiedTokenCache<number>({ maxEntries: 3, now: () => 0 });
    for (let i = 1; i <= 4; i++) cache.set(`t${i}`, i, 3600);
    expect(cache.size).toBe(3);
    expect(['t1', 't2', 't3', 't4'].map((t) => cache.get(t))).toEqual([undefined, 2, 3, 4]);
    // Setting a kept token again makes it the newest.
    cache.set('t2', 2, 3600);
    cache.set('t5', 5, 3600);
    expect(['t2', 't3', 't4', 't5'].map((t) => cache.get(t))).toEqual([2, undefined, 4, 5]);
  });

  it('forgets everything on clear', () => {
    const cache = createVerifiedTokenCache<string>({ now: () => 0 });
    cache.set('a', 'x', 10);
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
  });
});
