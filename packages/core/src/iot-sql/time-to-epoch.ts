/**
 * `time_to_epoch(timestamp, pattern)`: parses a date/time string with a java.time DateTimeFormatter
 * pattern (JDK 11) into epoch milliseconds; "If the timestamp string doesn't specify a timezone, the
 * function uses the UTC timezone"
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html#iot-sql-function-time-to-epoch).
 *
 * Supported letters: u/y (year), M/L (month, number or name), d, H, k, h/K with a, m, s, S (fraction),
 * E (day name, checked for form only), z, VV, O (zone names and ids), X, x, Z (offsets), quoted text.
 * A string that does not match the pattern is Undefined.
 */
import { zoneOffsetAt } from './joda-format.ts';

const monthNames = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** Zone abbreviations java.time's `z` parses, with their fixed offsets in hours. */
const zoneAbbreviations: Record<string, number> = {
  UTC: 0,
  GMT: 0,
  UT: 0,
  Z: 0,
  EST: -5,
  EDT: -4,
  CST: -6,
  CDT: -5,
  MST: -7,
  MDT: -6,
  PST: -8,
  PDT: -7,
  AKST: -9,
  AKDT: -8,
  HST: -10,
  WET: 0,
  WEST: 1,
  BST: 1,
  CET: 1,
  CEST: 2,
  EET: 2,
  EEST: 3,
  IST: 5.5,
  JST: 9,
  KST: 9,
  AEST: 10,
  AEDT: 11,
};

type Field =
  | 'year'
  | 'twoDigitYear'
  | 'month'
  | 'monthName'
  | 'day'
  | 'hour'
  | 'hour12'
  | 'ampm'
  | 'minute'
  | 'second'
  | 'fraction'
  | 'dayName'
  | 'zone'
  | 'offset';

interface CompiledPattern {
  readonly regex: RegExp;
  readonly fields: readonly Field[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const offsetSource = 'Z|[+-]\\d{2}(?::?\\d{2}(?::?\\d{2})?)?';
const zoneSource = `(?:UTC|GMT|UT)(?:[+-]\\d{1,2}(?::?\\d{2})?)?|${offsetSource}|[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*`;

function fieldFor(letter: string, count: number): { field: Field; source: string } | undefined {
  switch (letter) {
    case 'u':
    case 'y':
      return count === 2 ? { field: 'twoDigitYear', source: '\\d{2}' } : { field: 'year', source: `[+-]?\\d{${Math.max(count, 1)},9}` };
    case 'M':
    case 'L':
      if (count >= 4) return { field: 'monthName', source: '[A-Za-z]+' };
      if (count === 3) return { field: 'monthName', source: '[A-Za-z]{3}' };
      return { field: 'month', source: count === 1 ? '\\d{1,2}' : '\\d{2}' };
    case 'd':
      return { field: 'day', source: count === 1 ? '\\d{1,2}' : '\\d{2}' };
    case 'H':
    case 'k':
      return { field: 'hour', source: count === 1 ? '\\d{1,2}' : '\\d{2}' };
    case 'h':
    case 'K':
      return { field: 'hour12', source: count === 1 ? '\\d{1,2}' : '\\d{2}' };
    case 'a':
      return { field: 'ampm', source: '[AaPp][Mm]' };
    case 'm':
      return { field: 'minute', source: count === 1 ? '\\d{1,2}' : '\\d{2}' };
    case 's':
      return { field: 'second', source: count === 1 ? '\\d{1,2}' : '\\d{2}' };
    case 'S':
      return { field: 'fraction', source: `\\d{${count}}` };
    case 'E':
      return { field: 'dayName', source: '[A-Za-z]+' };
    case 'z':
    case 'V':
    case 'O':
      return { field: 'zone', source: zoneSource };
    case 'X':
    case 'x':
    case 'Z':
      return { field: 'offset', source: offsetSource };
    default:
      return undefined;
  }
}

const compiledPatterns = new Map<string, CompiledPattern | undefined>();

function compilePattern(pattern: string): CompiledPattern | undefined {
  if (compiledPatterns.has(pattern)) return compiledPatterns.get(pattern);
  let source = '';
  const fields: Field[] = [];
  let ok = true;
  for (let i = 0; i < pattern.length && ok;) {
    const c = pattern[i]!;
    if (c === "'") {
      // Quoted literal text; '' is a single quote.
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) ok = false;
      else {
        source += end === i + 1 ? "'" : escapeRegex(pattern.slice(i + 1, end));
        i = end + 1;
      }
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      const field = fieldFor(c, j - i);
      if (field === undefined) ok = false;
      else {
        source += `(${field.source})`;
        fields.push(field.field);
      }
      i = j;
    } else {
      source += escapeRegex(c);
      i++;
    }
  }
  const compiled = ok ? { regex: new RegExp(`^${source}$`, 'i'), fields } : undefined;
  compiledPatterns.set(pattern, compiled);
  return compiled;
}

/** Offset in milliseconds of `+01:00`, `-0530`, `UTC+1`, `Z`; undefined when `text` is not an offset. */
function parseOffset(text: string): number | undefined {
  const m = /^(?:UTC|GMT|UT)?(?:([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/i.exec(text === 'Z' || text === 'z' ? '' : text);
  if (m === null) return undefined;
  if (m[1] === undefined) return 0;
  const ms = (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * 1000;
  return m[1] === '-' ? -ms : ms;
}

/** Epoch milliseconds of the wall-clock time `localMs` (as if UTC) in the zone `zone`. */
function resolveZone(zone: string, localMs: number): number | undefined {
  const fixed =
    parseOffset(zone) ??
    (Object.hasOwn(zoneAbbreviations, zone.toUpperCase()) ? zoneAbbreviations[zone.toUpperCase()]! * 3_600_000 : undefined);
  if (fixed !== undefined) return localMs - fixed;
  // A region id: the offset depends on the instant, which depends on the offset; two rounds settle it.
  let guess = localMs;
  for (let round = 0; round < 2; round++) {
    const offset = zoneOffsetAt(zone, guess);
    if (offset === undefined) return undefined;
    guess = localMs - offset;
  }
  return guess;
}

export function timeToEpoch(timestamp: string, pattern: string): number | undefined {
  const compiled = compilePattern(pattern);
  const m = compiled?.regex.exec(timestamp.trim());
  if (compiled === undefined || m === null || m === undefined) return undefined;
  let year = 1970;
  let month = 1;
  let day = 1;
  let hour = 0;
  let hour12: number | undefined;
  let pm: boolean | undefined;
  let minute = 0;
  let second = 0;
  let millis = 0;
  let zone: string | undefined;
  for (const [index, field] of compiled.fields.entries()) {
    const text = m[index + 1]!;
    switch (field) {
      case 'year':
        year = Number(text);
        break;
      case 'twoDigitYear':
        // java.time's `yy` parses into 2000-2099.
        year = 2000 + Number(text);
        break;
      case 'month':
        month = Number(text);
        break;
      case 'monthName': {
        const lower = text.toLowerCase();
        const index = monthNames.findIndex((name) => (lower.length === 3 ? name.startsWith(lower) : name === lower));
        if (index < 0) return undefined;
        month = index + 1;
        break;
      }
      case 'day':
        day = Number(text);
        break;
      case 'hour':
        hour = Number(text);
        break;
      case 'hour12':
        hour12 = Number(text);
        break;
      case 'ampm':
        pm = text.toLowerCase() === 'pm';
        break;
      case 'minute':
        minute = Number(text);
        break;
      case 'second':
        second = Number(text);
        break;
      case 'fraction':
        millis = Math.floor(Number(`0.${text}`) * 1000 + 1e-9);
        break;
      case 'dayName':
        break;
      case 'zone':
      case 'offset':
        zone = text;
        break;
    }
  }
  if (hour12 !== undefined) hour = (hour12 % 12) + (pm === true ? 12 : 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  // java.time refuses 31 April rather than rolling it over.
  if (date.getUTCDate() !== day) return undefined;
  const localMs = date.getTime();
  return zone === undefined ? localMs : resolveZone(zone, localMs);
}
