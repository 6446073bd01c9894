/**
 * One computation shared by the requests that want it at about the same time: callers while it
 * runs wait for the same promise, and its result is reused for `reuseMs` after it settled. The
 * overview's device counts cost one registry Scan and a Data Service call per 100 devices; every
 * open Overview page asks every 20 s, so without this the work would grow with the number of
 * people looking. A failure is not reused: the next caller tries again.
 */
export function sharedResult<A extends unknown[], T>(
  reuseMs: number,
  now: () => number,
  compute: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  let current: { promise: Promise<T>; settledAt?: number } | undefined;
  return (...args) => {
    if (current && (current.settledAt === undefined || now() - current.settledAt < reuseMs)) return current.promise;
    const entry: { promise: Promise<T>; settledAt?: number } = {
      promise: compute(...args).then(
        (value) => {
          entry.settledAt = now();
          return value;
        },
        (err: unknown) => {
          if (current === entry) current = undefined;
          throw err;
        },
      ),
    };
    current = entry;
    return entry.promise;
  };
}
