/**
 * The value model and standard conversions of AWS IoT SQL 2016-03-23
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-data-types.html).
 *
 * Values are plain JSON values; `undefined` is the SQL `Undefined` (not a value: a missing key,
 * or the result of a function given bad arguments). A whole number is an `Int`, anything else a
 * `Decimal` (version 2016-03-23 treats `10.0` as `Int` too). A non-JSON payload selected with `*`
 * is its raw bytes (`Uint8Array`).
 */

export type SqlValue =
  undefined | null | boolean | number | string | Uint8Array | readonly SqlValue[] | { readonly [key: string]: SqlValue };

export type SqlObject = { readonly [key: string]: SqlValue };

export type SqlType = 'Undefined' | 'Null' | 'Boolean' | 'Int' | 'Decimal' | 'String' | 'Array' | 'Object' | 'Bytes';

export function typeOf(v: SqlValue): SqlType {
  if (v === undefined) return 'Undefined';
  if (v === null) return 'Null';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Int' : 'Decimal';
  if (typeof v === 'string') return 'String';
  if (v instanceof Uint8Array) return 'Bytes';
  if (Array.isArray(v)) return 'Array';
  return 'Object';
}

export const isObject = (v: SqlValue): v is SqlObject => typeOf(v) === 'Object';
export const isArray = (v: SqlValue): v is readonly SqlValue[] => Array.isArray(v);

/** The decimal syntax AWS IoT accepts when converting a string to a number. */
const decimalPattern = /^-?\d+(\.\d+)?([eE]-?\d+)?$/;

/** Standard conversion to Decimal: numbers as is, numeric strings parsed, everything else Undefined. */
export function toDecimal(v: SqlValue): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && decimalPattern.test(v)) return Number(v);
  return undefined;
}

/**
 * Conversion to Int as the functions use it ("rounded down to the nearest Int"): decimals and
 * numeric strings are floored.
 */
export function toInt(v: SqlValue): number | undefined {
  const d = toDecimal(v);
  return d === undefined ? undefined : Math.floor(d);
}

/** Standard conversion to Boolean: booleans, and the strings "true"/"false" in any case. */
export function toBoolean(v: SqlValue): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

/** Standard conversion to String; Null and Undefined stay Undefined. Arrays and objects become JSON. */
export function toSqlString(v: SqlValue): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return toJson(v);
}

/** Serialises a value as JSON the way AWS IoT does: Undefined members are omitted. */
export function toJson(v: SqlValue): string {
  return JSON.stringify(v, (_key, value: unknown) => (value instanceof Uint8Array ? new TextDecoder().decode(value) : value));
}

/** Structural equality used by `=`, `<>`, CASE and IN. Numbers compare by value (1 = 1.0). */
export function sqlEquals(a: SqlValue, b: SqlValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sqlEquals(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sqlEquals(a[k], b[k]));
  }
  return false;
}
