import { describe, expect, it } from 'vitest';
import { IotSqlError } from './iot-sql-error.ts';
import { compileTemplate, substituteTemplate } from './substitute-template.ts';
import { jsonMessage, value } from './test-helpers.ts';

describe('parse_time (documented examples)', () => {
  it('formats 100000000 in America/Belize as "1970.01.01 AD at 21:46:40 CST"', () => {
    expect(value(`parse_time("yyyy.MM.dd G 'at' HH:mm:ss z", 100000000, "America/Belize")`)).toBe('1970.01.01 AD at 21:46:40 CST');
  });

  it('formats in UTC by default, like "2017.06.09 AD at 17:19:46 UTC"', () => {
    expect(value(`parse_time("yyyy.MM.dd G 'at' HH:mm:ss z", 1497028786000)`)).toBe('2017.06.09 AD at 17:19:46 UTC');
  });

  it('supports the dead-letter key pattern yyyy/MM/dd/HH and other Joda fields', () => {
    // 2026-03-05T07:08:09.012Z, a Thursday
    const ts = Date.UTC(2026, 2, 5, 7, 8, 9, 12);
    expect(value(`parse_time("yyyy/MM/dd/HH", ${ts})`)).toBe('2026/03/05/07');
    expect(value(`parse_time("EEE, d MMM yy hh:mm:ss.SSS a Z", ${ts})`)).toBe('Thu, 5 Mar 26 07:08:09.012 AM +0000');
    expect(value(`parse_time("EEEE MMMM D ZZ", ${ts}, "Asia/Kolkata")`)).toBe('Thursday March 64 +05:30');
  });

  it('is Undefined for an unknown time zone', () => {
    expect(value(`isUndefined(parse_time("yyyy", 0, "Mars/Olympus"))`)).toBe(true);
  });
});

describe('substitution templates', () => {
  const message = jsonMessage({ deviceid: 'iot123', temp: 54.98, coords: { latitude: 47.615694 } }, 'my/iot/topic', {
    timestamp: Date.UTC(2017, 5, 9, 17, 19, 46),
  });

  it('substitutes ${topic()}/republish (documented example)', () => {
    expect(substituteTemplate('${topic()}/republish', message)).toBe('my/iot/topic/republish');
  });

  it('substitutes ${parse_time("yyyy", timestamp(), "UTC")} (documented S3 key example)', () => {
    expect(substituteTemplate('${parse_time("yyyy", timestamp(), "UTC")}', message)).toBe('2017');
  });

  it('substitutes payload fields, nested fields and expressions', () => {
    expect(substituteTemplate('${temp}', message)).toBe('54.98');
    expect(substituteTemplate('${coords.latitude}/${temp * 2}/${upper(deviceid)}', message)).toBe('47.615694/109.96/IOT123');
    expect(substituteTemplate('${coords}', message)).toBe('{"latitude":47.615694}');
  });

  it('renders Undefined as an empty string', () => {
    expect(substituteTemplate('a-${missing}-b', message)).toBe('a--b');
  });

  it('renders a dead-letter key with a fresh uuid', () => {
    const template = 'dead-letters/${parse_time("yyyy/MM/dd", timestamp())}/${newuuid()}.json';
    expect(substituteTemplate(template, message, { newUuid: () => 'u-1' })).toBe('dead-letters/2017/06/09/u-1.json');
  });

  it('handles braces and quotes inside an expression', () => {
    expect(substituteTemplate('${get({"k": "}"}, "k")}!', message)).toBe('}!');
  });

  it('marks templates without expressions as constant', () => {
    expect(compileTemplate('Count').isConstant).toBe(true);
    expect(compileTemplate('${temp}').isConstant).toBe(false);
  });

  it('rejects an unclosed or malformed expression with its position in the template', () => {
    expect(() => compileTemplate('abc/${topic(')).toThrow(IotSqlError);
    try {
      compileTemplate('abc/${1 +}');
    } catch (err) {
      expect((err as IotSqlError).position).toBe(9);
    }
  });
});
