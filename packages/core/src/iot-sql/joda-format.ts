/**
 * Formats an epoch-milliseconds timestamp with a Joda-Time pattern, as AWS IoT `parse_time` does
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html#iot-sql-function-parse-time;
 * patterns: https://www.joda.org/joda-time/apidocs/org/joda/time/format/DateTimeFormat.html).
 * Time zones are IANA ids, resolved by the platform's Intl data.
 */

const monthsLong = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const daysLong = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface ZoneFormatters {
  readonly wall: Intl.DateTimeFormat;
  readonly shortName: Intl.DateTimeFormat;
  readonly longName: Intl.DateTimeFormat;
}

const zoneCache = new Map<string, ZoneFormatters>();

function formattersFor(timeZone: string): ZoneFormatters {
  let f = zoneCache.get(timeZone);
  if (f === undefined) {
    const base = { timeZone } as const;
    f = {
      wall: new Intl.DateTimeFormat('en-US', {
        ...base,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      }),
      shortName: new Intl.DateTimeFormat('en-US', { ...base, timeZoneName: 'short' }),
      longName: new Intl.DateTimeFormat('en-US', { ...base, timeZoneName: 'long' }),
    };
    zoneCache.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at instant `ms`, in milliseconds. */
function zoneOffset(f: ZoneFormatters, ms: number): number {
  const parts = Object.fromEntries(f.wall.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const wall = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

function zoneName(formatter: Intl.DateTimeFormat, ms: number): string {
  return formatter.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

const pad = (n: number, width: number) => {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
};

function formatOffset(offsetMs: number, colon: boolean): string {
  if (offsetMs === 0 && !colon) return '+0000';
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMs) / 60_000;
  const hh = pad(Math.floor(minutes / 60), 2);
  const mm = pad(minutes % 60, 2);
  return colon ? `${sign}${hh}:${mm}` : `${sign}${hh}${mm}`;
}

/**
 * Formats `ms` in `timeZone`. Returns undefined when the zone is unknown (AWS: Undefined result).
 * Unknown pattern letters are an error in Joda; here too.
 */
export function formatJoda(pattern: string, ms: number, timeZone = 'UTC'): string | undefined {
  let f: ZoneFormatters;
  try {
    f = formattersFor(timeZone);
  } catch {
    return undefined;
  }
  const offset = zoneOffset(f, ms);
  // A Date whose UTC fields are the wall-clock fields in the zone.
  const d = new Date(ms + offset);
  const year = d.getUTCFullYear();
  const field = (letter: string, count: number): string | undefined => {
    switch (letter) {
      case 'G':
        return year > 0 ? 'AD' : 'BC';
      case 'y':
      case 'Y':
      case 'u': {
        const y = letter === 'u' ? year : year > 0 ? year : 1 - year;
        return count === 2 ? pad(((y % 100) + 100) % 100, 2) : pad(y, count);
      }
      case 'M': {
        const m = d.getUTCMonth();
        if (count >= 4) return monthsLong[m]!;
        if (count === 3) return monthsLong[m]!.slice(0, 3);
        return pad(m + 1, count);
      }
      case 'd':
        return pad(d.getUTCDate(), count);
      case 'D': {
        const dayOfYear = Math.floor((Date.UTC(year, d.getUTCMonth(), d.getUTCDate()) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
        return pad(dayOfYear, count);
      }
      case 'E': {
        const name = daysLong[d.getUTCDay()]!;
        return count >= 4 ? name : name.slice(0, 3);
      }
      case 'e':
        return pad(((d.getUTCDay() + 6) % 7) + 1, count);
      case 'a':
        return d.getUTCHours() < 12 ? 'AM' : 'PM';
      case 'H':
        return pad(d.getUTCHours(), count);
      case 'k':
        return pad(d.getUTCHours() === 0 ? 24 : d.getUTCHours(), count);
      case 'K':
        return pad(d.getUTCHours() % 12, count);
      case 'h':
        return pad(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12, count);
      case 'm':
        return pad(d.getUTCMinutes(), count);
      case 's':
        return pad(d.getUTCSeconds(), count);
      case 'S':
        // Fraction of second: the first `count` digits of the milliseconds.
        return pad(d.getUTCMilliseconds(), 3).padEnd(count, '0').slice(0, count);
      case 'z':
        return zoneName(count >= 4 ? f.longName : f.shortName, ms);
      case 'Z':
        if (count >= 3) return timeZone;
        return formatOffset(offset, count === 2);
      default:
        return undefined;
    }
  };

  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      // Quoted literal; '' is a single quote.
      if (pattern[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      out += pattern.slice(i + 1, end < 0 ? pattern.length : end);
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let count = 1;
      while (pattern[i + count] === c) count++;
      const value = field(c, count);
      if (value === undefined) return undefined;
      out += value;
      i += count;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** Offset of the IANA zone `timeZone` from UTC at instant `ms`, in milliseconds; undefined for an unknown zone. */
export function zoneOffsetAt(timeZone: string, ms: number): number | undefined {
  try {
    return zoneOffset(formattersFor(timeZone), ms);
  } catch {
    return undefined;
  }
}
