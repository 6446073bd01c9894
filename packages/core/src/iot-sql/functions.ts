/**
 * Built-in functions of AWS IoT SQL (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html):
 * string, math, conversion and message functions here; hashes in hash-functions.ts, MQTT 5 properties in
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
import { mqttFunctions } from './mqtt-functions.ts';
import { hasSqlV2, type SqlVersion } from './sql-version.ts';
import { timeToEpoch } from './time-to-epoch.ts';
import { isArray, isObject, toDecimal, toInt, toSqlString, type SqlObject, type SqlValue } from './values.ts';

export type SqlFunction = (args: readonly SqlValue[], ctx: EvalContext) => SqlValue;

const finite = (n: number): number | undefined => (Number.isFinite(n) ? n : undefined);

/** A one-argument numeric function (Decimal arguments rounded to double precision, as AWS says). */
const math1 =
  (fn: (x: number) => number): SqlFunction =>
  ([x]) => {
    const d = toDecimal(x);
    return d === undefined ? undefined : finite(fn(d));
  };

const math2 =
  (fn: (a: number, b: number) => number | undefined): SqlFunction =>
  ([a, b]) => {
    const x = toDecimal(a);
    const y = toDecimal(b);
    if (x === undefined || y === undefined) return undefined;
    const r = fn(x, y);
    return r === undefined ? undefined : finite(r);
  };

const bits =
  (fn: (a: bigint, b: bigint) => bigint): SqlFunction =>
  ([a, b]) => {
    const x = toInt(a);
    const y = toInt(b);
    return x === undefined || y === undefined ? undefined : Number(fn(BigInt(x), BigInt(y)));
  };

const str1 =
  (fn: (s: string) => SqlValue): SqlFunction =>
  ([x]) => {
    const s = toSqlString(x);
    return s === undefined ? undefined : fn(s);
  };

const str2 =
  (fn: (a: string, b: string) => SqlValue): SqlFunction =>
  ([x, y]) => {
    const a = toSqlString(x);
    const b = toSqlString(y);
    return a === undefined || b === undefined ? undefined : fn(a, b);
  };

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/** Java regex flags written inline at the start (`(?i)`) become JavaScript flags. */
function javaRegex(source: string, global = false): RegExp | undefined {
  let flags = global ? 'g' : '';
  const m = /^\(\?([imsx]+)\)/.exec(source);
  let body = source;
  if (m !== null) {
    body = source.slice(m[0].length);
    for (const f of m[1]!) if (f !== 'x' && !flags.includes(f)) flags += f;
  }
  try {
    return new RegExp(body, flags);
  } catch {
    return undefined;
  }
}

const pad =
  (side: 'left' | 'right'): SqlFunction =>
  ([s, n]) => {
    const text = toSqlString(s);
    const count = toInt(n);
    if (text === undefined || count === undefined) return undefined;
    const spaces = ' '.repeat(clamp(count, 0, 1000));
    return side === 'left' ? spaces + text : text + spaces;
  };

/** trunc(): cut decimal places from the shortest decimal representation, avoiding binary float noise. */
function truncate(x: number, places: number): number {
  const s = String(x);
  if (/e/i.test(s)) return Math.trunc(x * 10 ** places) / 10 ** places;
  const dot = s.indexOf('.');
  return dot < 0 ? x : Number(places === 0 ? s.slice(0, dot) : s.slice(0, dot + 1 + places));
}

function concat(args: readonly SqlValue[]): SqlValue {
  if (args.length === 0) return undefined;
  if (args.length === 1) return isArray(args[0]) ? args[0] : toSqlString(args[0]);
  if (args.some(isArray)) return args.flatMap((a) => (isArray(a) ? a : [a]));
  const parts = args.map(toSqlString);
  return parts.some((p) => p === undefined) ? undefined : parts.join('');
}

function getItem(coll: SqlValue, key: SqlValue): SqlValue {
  if (isArray(coll) || typeof coll === 'string') {
    const i = toInt(key);
    return i === undefined || i < 0 || i >= coll.length ? undefined : coll[i];
  }
  if (isObject(coll) && typeof key === 'string') return Object.hasOwn(coll, key) ? coll[key] : undefined;
  return undefined;
}

function substring([s, a, b]: readonly SqlValue[], argc: number): SqlValue {
  const text = toSqlString(s);
  const start = toDecimal(a);
  if (text === undefined || start === undefined) return undefined;
  const from = clamp(Math.floor(start), 0, text.length);
  if (argc < 3) return text.slice(from);
  const end = toDecimal(b);
  if (end === undefined) return undefined;
  const to = clamp(Math.floor(end), 0, text.length);
  return from >= to ? '' : text.slice(from, to);
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
  ...hashFunctions,
  ...mqttFunctions,
  ...externalFunctions,
  abs: { fn: math1(Math.abs), min: 1, max: 1 },
  accountid: { fn: (_a, ctx) => ctx.accountId, min: 0, max: 0 },
  acos: { fn: math1(Math.acos), min: 1, max: 1 },
  asin: { fn: math1(Math.asin), min: 1, max: 1 },
  atan: { fn: math1(Math.atan), min: 1, max: 1 },
  atan2: { fn: math2(Math.atan2), min: 2, max: 2 },
  bitand: { fn: bits((a, b) => a & b), min: 2, max: 2 },
  bitor: { fn: bits((a, b) => a | b), min: 2, max: 2 },
  bitxor: { fn: bits((a, b) => a ^ b), min: 2, max: 2 },
  bitnot: {
    fn: ([a]) => {
      const x = toInt(a);
      return x === undefined ? undefined : Number(~BigInt(x));
    },
    min: 1,
    max: 1,
  },
  ceil: { fn: math1(Math.ceil), min: 1, max: 1 },
  chr: {
    fn: ([a]) => {
      const code = toInt(a);
      return code === undefined || code < 0 || code > 127 ? undefined : String.fromCharCode(code);
    },
    min: 1,
    max: 1,
  },
  clientid: { fn: (_a, ctx) => ctx.clientId, min: 0, max: 0 },
  concat: { fn: concat, min: 0, max: Infinity },
  cos: { fn: math1(Math.cos), min: 1, max: 1 },
  cosh: { fn: math1(Math.cosh), min: 1, max: 1 },
  decode: { fn: ([v, s]) => decodeBase64(v, s), min: 2, max: 6, since: '2016-03-23' },
  encode: { fn: ([v, s]) => encodeBase64(v, s), min: 2, max: 2, since: '2016-03-23' },
  endswith: { fn: str2((a, b) => a.endsWith(b)), min: 2, max: 2 },
  exp: { fn: math1(Math.exp), min: 1, max: 1 },
  floor: { fn: math1(Math.floor), min: 1, max: 1 },
  get: { fn: ([c, k]) => getItem(c, k), min: 2, max: 2 },
  // Evaluated lazily by the evaluator (a failing first argument gives the default); this entry is for validation.
  get_or_default: { fn: ([v, d]) => (v === undefined || v === null ? d : v), min: 2, max: 2 },
  indexof: { fn: str2((a, b) => a.indexOf(b)), min: 2, max: 2, since: '2016-03-23' },
  isnull: { fn: ([v]) => v === null, min: 1, max: 1 },
  isundefined: { fn: ([v]) => v === undefined, min: 1, max: 1, since: '2016-03-23' },
  // Java's String.length(): UTF-16 code units, as JavaScript counts them.
  length: { fn: str1((s) => s.length), min: 1, max: 1, since: '2016-03-23' },
  ln: { fn: math1(Math.log), min: 1, max: 1 },
  log: { fn: math1(Math.log10), min: 1, max: 1 },
  lower: { fn: str1((s) => s.toLowerCase()), min: 1, max: 1 },
  lpad: { fn: pad('left'), min: 2, max: 2 },
  ltrim: { fn: str1((s) => s.replace(/^[ \t]+/, '')), min: 1, max: 1 },
  mod: { fn: math2((a, b) => (b === 0 ? undefined : a % b)), min: 2, max: 2 },
  nanvl: {
    fn: ([a, b]) => (a === undefined || a === null || (typeof a === 'number' && Number.isNaN(a)) ? b : a),
    min: 2,
    max: 2,
  },
  newuuid: { fn: (_a, ctx) => ctx.newUuid(), min: 0, max: 0 },
  numbytes: { fn: str1((s) => new TextEncoder().encode(s).length), min: 1, max: 1, since: '2016-03-23' },
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
  power: { fn: math2(Math.pow), min: 2, max: 2 },
  principal: { fn: (_a, ctx) => ctx.principal, min: 0, max: 0 },
  rand: { fn: (_a, ctx) => ctx.random(), min: 0, max: 0 },
  regexp_matches: { fn: str2((s, re) => javaRegex(re)?.test(s)), min: 2, max: 2 },
  regexp_replace: {
    fn: ([s, re, rep]) => {
      const text = toSqlString(s);
      const pattern = toSqlString(re);
      const replacement = toSqlString(rep);
      if (text === undefined || pattern === undefined || replacement === undefined) return undefined;
      return javaRegex(pattern, true) === undefined ? undefined : text.replace(javaRegex(pattern, true)!, replacement);
    },
    min: 3,
    max: 3,
  },
  regexp_substr: { fn: str2((s, re) => javaRegex(re)?.exec(s)?.[0]), min: 2, max: 2 },
  remainder: { fn: math2((a, b) => (b === 0 ? undefined : a % b)), min: 2, max: 2 },
  replace: {
    fn: ([s, a, b]) => {
      const [text, from, to] = [toSqlString(s), toSqlString(a), toSqlString(b)];
      return text === undefined || from === undefined || to === undefined ? undefined : text.replaceAll(from, to);
    },
    min: 3,
    max: 3,
  },
  rpad: { fn: pad('right'), min: 2, max: 2 },
  // [AWS] "If the Decimal is equidistant from two Int values (for example, 0.5), the Decimal is rounded up"
  // and Round(-1.5) = -2: half away from zero.
  round: { fn: math1((x) => Math.sign(x) * Math.floor(Math.abs(x) + 0.5) || 0), min: 1, max: 1 },
  rtrim: { fn: str1((s) => s.replace(/[ \t]+$/, '')), min: 1, max: 1 },
  sign: { fn: math1((x) => Math.sign(x) || 0), min: 1, max: 1 },
  sin: { fn: math1(Math.sin), min: 1, max: 1 },
  sinh: { fn: math1(Math.sinh), min: 1, max: 1 },
  sql_version: { fn: (_a, ctx) => ctx.version, min: 0, max: 0 },
  sqrt: { fn: math1(Math.sqrt), min: 1, max: 1 },
  startswith: { fn: str2((a, b) => a.startsWith(b)), min: 2, max: 2 },
  substring: { fn: (args, _ctx, argc) => substring(args, argc), min: 2, max: 3 },
  tan: { fn: math1(Math.tan), min: 1, max: 1 },
  tanh: { fn: math1(Math.tanh), min: 1, max: 1 },
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
  trim: { fn: str1((s) => s.trim()), min: 1, max: 1 },
  trunc: {
    fn: ([x, n]) => {
      const d = toDecimal(x);
      const places = toInt(n);
      if (d === undefined || places === undefined) return undefined;
      return Number.isInteger(d) ? d : truncate(d, clamp(places, 0, 34));
    },
    min: 2,
    max: 2,
  },
  upper: { fn: str1((s) => s.toUpperCase()), min: 1, max: 1 },
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
