/**
 * Math and bit functions of AWS IoT SQL (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html):
 * arguments go through the standard conversion to Decimal (numeric strings are numbers; anything else is
 * Undefined), "Decimal arguments are rounded to double precision before function application".
 */
import type { SqlFunctionEntry } from './function-entry.ts';
import { toDecimal, toInt } from './values.ts';

type SqlFunction = SqlFunctionEntry['fn'];

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

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

/** trunc(): cut decimal places from the shortest decimal representation, avoiding binary float noise. */
function truncate(x: number, places: number): number {
  const s = String(x);
  if (/e/i.test(s)) return Math.trunc(x * 10 ** places) / 10 ** places;
  const dot = s.indexOf('.');
  return dot < 0 ? x : Number(places === 0 ? s.slice(0, dot) : s.slice(0, dot + 1 + places));
}

export const mathFunctions: Readonly<Record<string, SqlFunctionEntry>> = {
  abs: { fn: math1(Math.abs), min: 1, max: 1 },
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
  cos: { fn: math1(Math.cos), min: 1, max: 1 },
  cosh: { fn: math1(Math.cosh), min: 1, max: 1 },
  exp: { fn: math1(Math.exp), min: 1, max: 1 },
  floor: { fn: math1(Math.floor), min: 1, max: 1 },
  ln: { fn: math1(Math.log), min: 1, max: 1 },
  log: { fn: math1(Math.log10), min: 1, max: 1 },
  mod: { fn: math2((a, b) => (b === 0 ? undefined : a % b)), min: 2, max: 2 },
  nanvl: {
    fn: ([a, b]) => (a === undefined || a === null || (typeof a === 'number' && Number.isNaN(a)) ? b : a),
    min: 2,
    max: 2,
  },
  power: { fn: math2(Math.pow), min: 2, max: 2 },
  rand: { fn: (_a, ctx) => ctx.random(), min: 0, max: 0 },
  remainder: { fn: math2((a, b) => (b === 0 ? undefined : a % b)), min: 2, max: 2 },
  // [AWS] "If the Decimal is equidistant from two Int values (for example, 0.5), the Decimal is rounded up"
  // and Round(-1.5) = -2: half away from zero.
  round: { fn: math1((x) => Math.sign(x) * Math.floor(Math.abs(x) + 0.5) || 0), min: 1, max: 1 },
  sign: { fn: math1((x) => Math.sign(x) || 0), min: 1, max: 1 },
  sin: { fn: math1(Math.sin), min: 1, max: 1 },
  sinh: { fn: math1(Math.sinh), min: 1, max: 1 },
  sqrt: { fn: math1(Math.sqrt), min: 1, max: 1 },
  tan: { fn: math1(Math.tan), min: 1, max: 1 },
  tanh: { fn: math1(Math.tanh), min: 1, max: 1 },
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
};
