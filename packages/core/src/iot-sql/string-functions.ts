/**
 * String functions of AWS IoT SQL (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html):
 * "Non-string arguments are converted to strings using the standard conversion rules"; Null and Undefined
 * do not convert, so the result is Undefined. Regular expressions are Java's, read as JavaScript's.
 */
import type { SqlFunctionEntry } from './function-entry.ts';
import { isArray, toDecimal, toInt, toSqlString, type SqlValue } from './values.ts';

type SqlFunction = SqlFunctionEntry['fn'];

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

function concat(args: readonly SqlValue[]): SqlValue {
  if (args.length === 0) return undefined;
  if (args.length === 1) return isArray(args[0]) ? args[0] : toSqlString(args[0]);
  if (args.some(isArray)) return args.flatMap((a) => (isArray(a) ? a : [a]));
  const parts = args.map(toSqlString);
  return parts.some((p) => p === undefined) ? undefined : parts.join('');
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

export const stringFunctions: Readonly<Record<string, SqlFunctionEntry>> = {
  chr: {
    fn: ([a]) => {
      const code = toInt(a);
      return code === undefined || code < 0 || code > 127 ? undefined : String.fromCharCode(code);
    },
    min: 1,
    max: 1,
  },
  concat: { fn: concat, min: 0, max: Infinity },
  endswith: { fn: str2((a, b) => a.endsWith(b)), min: 2, max: 2 },
  indexof: { fn: str2((a, b) => a.indexOf(b)), min: 2, max: 2, since: '2016-03-23' },
  // Java's String.length(): UTF-16 code units, as JavaScript counts them.
  length: { fn: str1((s) => s.length), min: 1, max: 1, since: '2016-03-23' },
  lower: { fn: str1((s) => s.toLowerCase()), min: 1, max: 1 },
  lpad: { fn: pad('left'), min: 2, max: 2 },
  ltrim: { fn: str1((s) => s.replace(/^[ \t]+/, '')), min: 1, max: 1 },
  numbytes: { fn: str1((s) => new TextEncoder().encode(s).length), min: 1, max: 1, since: '2016-03-23' },
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
  replace: {
    fn: ([s, a, b]) => {
      const [text, from, to] = [toSqlString(s), toSqlString(a), toSqlString(b)];
      return text === undefined || from === undefined || to === undefined ? undefined : text.replaceAll(from, to);
    },
    min: 3,
    max: 3,
  },
  rpad: { fn: pad('right'), min: 2, max: 2 },
  rtrim: { fn: str1((s) => s.replace(/[ \t]+$/, '')), min: 1, max: 1 },
  startswith: { fn: str2((a, b) => a.startsWith(b)), min: 2, max: 2 },
  substring: { fn: (args, _ctx, argc) => substring(args, argc), min: 2, max: 3 },
  trim: { fn: str1((s) => s.trim()), min: 1, max: 1 },
  upper: { fn: str1((s) => s.toUpperCase()), min: 1, max: 1 },
};
