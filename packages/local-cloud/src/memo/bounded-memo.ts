/**
 * A memo of values that are costly to compute and asked for again and again (SigV4 signing keys,
 * compiled policy patterns), bounded so that keys a client chooses cannot grow it without end: at
 * `max` entries the oldest one goes first.
 */
export interface BoundedMemo<V> {
  /** The value remembered for `key`, or `compute()`'s, remembered from now on. */
  get(key: string, compute: () => V): V;
  readonly size: number;
}

export function boundedMemo<V>(max: number): BoundedMemo<V> {
  const values = new Map<string, V>();
  return {
    get(key, compute) {
      if (values.has(key)) return values.get(key) as V;
      const value = compute();
      if (values.size >= max) values.delete(values.keys().next().value as string);
      values.set(key, value);
      return value;
    },
    get size() {
      return values.size;
    },
  };
}
