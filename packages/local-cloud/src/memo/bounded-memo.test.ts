import { describe, expect, it } from 'vitest';
import { boundedMemo } from './bounded-memo.ts';

describe('boundedMemo', () => {
  it('computes a value once per key, and lets the oldest key go first at the bound', () => {
    const memo = boundedMemo<string>(2);
    const computed: string[] = [];
    const get = (key: string) => memo.get(key, () => (computed.push(key), key.toUpperCase()));
    expect([get('a'), get('a'), get('b'), get('c'), get('b'), get('a')]).toEqual(['A', 'A', 'B', 'C', 'B', 'A']);
    // 'a' was computed, kept, then dropped when 'c' came: computed again at the end.
    expect(computed).toEqual(['a', 'b', 'c', 'a']);
    expect(memo.size).toBe(2);
  });
});
