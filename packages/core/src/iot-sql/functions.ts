/**
 * Built-in functions of AWS IoT SQL (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html):
 * the function table, and the conversion, collection, encoding, time and message functions; math in
 * math-functions.ts, strings in string-functions.ts, hashes in hash-functions.ts, MQTT 5 properties in
 * mqtt-functions.ts, functions that need another AWS service in external-functions.ts (they fail when called).
 * Functions given arguments of the wrong type return Undefined, as AWS documents; a wrong number of
 * arguments is rejected when the rule compiles (validate.ts).
 */
import { base64Decode, base64Encode } from './base64.ts';
import type { EvalContext } from './eval-context.ts';
import { externalFunctions, unavailableServiceError } from './external-functions.ts';
import type { SqlFunctionEntry } from './function-entry.ts';
import { hashFunctions } from './hash-functions.ts';
import { formatJoda } from './joda-format.ts';
import { mathFunctions } from './math-functions.ts';
import { mqttFunctions } from './mqtt-functions.ts';
import { hasSqlV2, type SqlVersion } from './sql-version.ts';
import { stringFunctions } from './string-functions.ts';
import { timeToEpoch } from './time-to-epoch.ts';
import { isArray, isObject, toDecimal, toInt, toSqlString, type SqlObject, type SqlValue } from './values.ts';

export type SqlFunction = (args: readonly SqlValue[], ctx: EvalContext) => SqlValue;

function getItem(coll: SqlValue, key: SqlValue): SqlValue {
  if (isArray(coll) || typeof coll === 'string') {
    const i = toInt(key);
    return i === undefined || i < 0 || i >= coll.length ? undefined : coll[i];
  }
  if (isObject(coll) && typeof key === 'string') return Object.hasOwn(coll, key) ? coll[key] : undefined;
  return undefined;
}

function decodeBase64(value: SqlValue, scheme: SqlValue): SqlValue {
  // decode(value, 'proto', bucket, key, descriptor, messageType) reads a Protobuf descriptor from S3.
  if (typeof scheme === 'string' && scheme.toLowerCase() === 'proto')
    throw unavailableServiceError('decode', "Amazon S3 (the 'proto' scheme's descriptor file)");
  if (typeof scheme !== 'string' || scheme.toLowerCase() !== 'base64') return undefined;
  const text = toSqlString(value);
  const bytes = text === undefined ? undefined : base64Decode(text);
  // [AWS] "The function returns NULL if the string cannot be decoded."
  if (bytes === undefined) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  // [AWS] "If the decoded string is a JSON document, an addressable object is returned."
  try {
    return JSON.parse(decoded) as SqlValue;
  } catch {
    return decoded;
  }
}

/** encode(value, 'base64'); `encode(*, ...)` receives the raw payload bytes from the evaluator. */
function encodeBase64(value: SqlValue, scheme: SqlValue): SqlValue {
  if (typeof scheme !== 'string' || scheme.toLowerCase() !== 'base64') return undefined;
  if (value instanceof Uint8Array) return base64Encode(value);
  const text = toSqlString(value);
  return text === undefined ? undefined : base64Encode(new TextEncoder().encode(text));
}

function transform([mode, obj, arr]: readonly SqlValue[]): SqlValue {
  if (mode !== 'enrichArray' || !isObject(obj) || !isArray(arr)) return undefined;
  return arr.map((item): SqlValue => (isObject(item) ? ({ ...item, ...obj } satisfies SqlObject) : item));
}

function topic([n]: readonly SqlValue[], ctx: EvalContext, argc: number): SqlValue {
  if (argc === 0) return ctx.topic;
  const i = toInt(n);
  const levels = ctx.topic.split('/');
  return i === undefined || i < 1 || i > levels.length ? undefined : levels[i - 1];
}

/** Functions by lower-case name; AWS matches names case-insensitively (`Round`, `Ltrim` in its docs). */
const table: Readonly<Record<string, SqlFunctionEntry>> = {
  ...mathFunctions,
  ...stringFunctions,
  ...hashFunctions,
  ...mqttFunctions,
  ...externalFunctions,
  accountid: { fn: (_a, ctx) => ctx.accountId, min: 0, max: 0 },
  clientid: { fn: (_a, ctx) => ctx.clientId, min: 0, max: 0 },
  decode: { fn: ([v, s]) => decodeBase64(v, s), min: 2, max: 6, since: '2016-03-23' },
  encode: { fn: ([v, s]) => encodeBase64(v, s), min: 2, max: 2, since: '2016-03-23' },
  get: { fn: ([c, k]) => getItem(c, k), min: 2, max: 2 },
  // Evaluated lazily by the evaluator (a failing first argument gives the default); this entry is for validation.
  get_or_default: { fn: ([v, d]) => (v === undefined || v === null ? d : v), min: 2, max: 2 },
  isnull: { fn: ([v]) => v === null, min: 1, max: 1 },
  isundefined: { fn: ([v]) => v === undefined, min: 1, max: 1, since: '2016-03-23' },
  newuuid: { fn: (_a, ctx) => ctx.newUuid(), min: 0, max: 0 },
  parse_time: {
    fn: ([pattern, ts, tz], _ctx, argc) => {
      const ms = toDecimal(ts);
      const zone = argc < 3 ? 'UTC' : toSqlString(tz);
      if (typeof pattern !== 'string' || ms === undefined || zone === undefined) return undefined;
      return formatJoda(pattern, Math.trunc(ms), zone);
    },
    min: 2,
    max: 3,
    since: '2016-03-23',
  },
  principal: { fn: (_a, ctx) => ctx.principal, min: 0, max: 0 },
  sql_version: { fn: (_a, ctx) => ctx.version, min: 0, max: 0 },
  time_to_epoch: {
    fn: ([ts, pattern]) => {
      const text = toSqlString(ts);
      return text === undefined || typeof pattern !== 'string' ? undefined : timeToEpoch(text, pattern);
    },
    min: 2,
    max: 2,
    since: '2016-03-23',
  },
  timestamp: { fn: (_a, ctx) => ctx.timestamp, min: 0, max: 0 },
  topic: { fn: topic, min: 0, max: 1 },
  traceid: { fn: (_a, ctx) => ctx.traceId, min: 0, max: 0 },
  transform: { fn: transform, min: 3, max: 3, since: '2016-03-23' },
};

/** True when `name` (any case) is a function this evaluator implements. */
export const isKnownFunction = (name: string): boolean => Object.hasOwn(table, name.toLowerCase());

/** The table entry of `name` (any case), for compile-time checks of arity and SQL version. */
export const functionEntry = (name: string): SqlFunctionEntry | undefined =>
  Object.hasOwn(table, name.toLowerCase()) ? table[name.toLowerCase()] : undefined;

/** Every function name, sorted (for documentation and tests). */
export const functionNames = (): string[] => Object.keys(table).sort();

/** Calls a built-in; a wrong argument count yields Undefined, as AWS documents. */
export function callFunction(name: string, args: readonly SqlValue[], ctx: EvalContext): SqlValue {
  const entry = table[name.toLowerCase()];
  if (entry === undefined || args.length < entry.min || args.length > entry.max) return undefined;
  return entry.fn(args, ctx, args.length);
}

/**
 * `cast(value AS type)` (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html#iot-sql-function-cast).
 * Decimal, Bool and Boolean are keywords "Additionally, for SQL version 2016-03-23": in 2015-10-08 they cast to Undefined.
 */
export function castValue(v: SqlValue, to: string, version: SqlVersion = '2016-03-23'): SqlValue {
  if (!hasSqlV2(version) && (to === 'decimal' || to === 'bool' || to === 'boolean')) return undefined;
  switch (to) {
    case 'string':
    case 'nvarchar':
    case 'text':
    case 'ntext':
    case 'varchar':
      return toSqlString(v);
    case 'int':
    case 'integer':
      if (typeof v === 'boolean') return v ? 1 : 0;
      return toInt(v);
    case 'double':
    case 'decimal':
      if (typeof v === 'boolean') return v ? 1 : 0;
      return toDecimal(v);
    case 'bool':
    case 'boolean':
      if (typeof v === 'number') return v !== 0;
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') {
        const lower = v.toLowerCase();
        return lower === 'true' ? true : lower === 'false' ? false : undefined;
      }
      return undefined;
    default:
      return undefined;
  }
}

export const knownCastTypes = new Set([
  'string',
  'nvarchar',
  'text',
  'ntext',
  'varchar',
  'int',
  'integer',
  'double',
  'decimal',
  'bool',
  'boolean',
]);
