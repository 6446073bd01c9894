/**
 * Records keyed by what a request names (a pool id, a client id, a group or user name). A name such
 * as `__proto__` or `constructor` must be a key like any other: plain indexing would read the
 * object's prototype (a crash further on, a 500 instead of ResourceNotFoundException) or, on a
 * write, replace it.
 */

/** The record's own entry for `key`, never one inherited from `Object.prototype`. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Sets the record's own entry for `key`, `__proto__` included (an assignment would set the prototype). */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}
