/**
 * Each assertion is an example from the AWS IoT SQL functions reference
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html) unless marked otherwise.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRule } from './compile-rule.ts';
import { IotSqlEvaluationError } from './iot-sql-error.ts';
import { jsonMessage, run, value } from './test-helpers.ts';

describe('math functions (documented examples)', () => {
  it.each([
    ['abs(-5)', 5],
    ['atan2(1, 0)', 1.5707963267948966],
    ['acos(0)', 1.5707963267948966],
    ['asin(0)', 0],
    ['atan(0)', 0],
    ['bitand(13, 5)', 5],
    ['bitor(8, 5)', 13],
    ['bitxor(13, 5)', 8],
    ['ceil(1.2)', 2],
    ['ceil(-1.2)', -1],
    ['cos(0)', 1],
    ['floor(1.2)', 1],
    ['floor(-1.2)', -2],
    ['log(100)', 2],
    ['mod(8, 3)', 2],
    ['remainder(8, 3)', 2],
    ['nanvl(8, 3)', 8],
    ['power(2, 5)', 32],
    ['round(1.2)', 1],
    ['Round(1.5)', 2],
    ['Round(1.7)', 2],
    ['Round(-1.1)', -1],
    ['Round(-1.5)', -2],
    ['sign(-7)', -1],
    ['sign(0)', 0],
    ['sign(13)', 1],
    ['sin(0)', 0],
    ['sqrt(9)', 3],
    ['trunc(2.3, 0)', 2],
    ['trunc(2.3123, 2)', 2.31],
    ['trunc(2.888, 2)', 2.88],
    ['trunc(2.00, 5)', 2],
  ])('%s = %s', (expr, expected) => {
    expect(value(expr)).toBe(expected);
  });

  it.each([
    ['cosh(2.3)', 5.037220649268761],
    ['sinh(2.3)', 4.936961805545957],
    ['tan(3)', -0.1425465430742778],
    ['tanh(2.3)', 0.9800963962661914],
    ['exp(1)', Math.E],
    ['ln(exp(1))', 1],
  ])('%s ≈ %s', (expr, expected) => {
    expect(value(expr) as number).toBeCloseTo(expected, 14);
  });

  it('converts numeric strings as the conversion table says: abs("-5.123") is abs(-5.123)', () => {
    expect(value('abs("-5.123")')).toBe(5.123);
  });

  it('bitnot is the two-complement NOT of a 64-bit Int (the docs example "bitnot(13) = 2" contradicts Java ~13)', () => {
    expect(value('bitnot(13)')).toBe(-14);
  });

  it('returns Undefined for arguments that do not convert (the key is omitted)', () => {
    expect(value('isUndefined(floor([1,2,3]))')).toBe(true);
    expect(value('isUndefined(abs(true))')).toBe(true);
    expect(value('isUndefined(abs("five"))')).toBe(true);
  });
});

describe('string functions (documented examples)', () => {
  it.each([
    ['chr(65)', 'A'],
    ['chr(49)', '1'],
    ['concat(1)', '1'],
    ['concat("con", "cat")', 'concat'],
    ['concat(1, "hello")', '1hello'],
    ['concat("he","is","man")', 'heisman'],
    ['endswith("cat","at")', true],
    ['startswith("ranger","ran")', true],
    ['indexof("abcd", "bc")', 1],
    ['length("hi")', 2],
    ['length(false)', 5],
    ['lower("HELLO")', 'hello'],
    ['lower(["HELLO"])', '["hello"]'],
    ['upper("hello")', 'HELLO'],
    ['upper(["hello"])', '["HELLO"]'],
    ['lpad("hello", 2)', '  hello'],
    ['lpad(1, 3)', '   1'],
    ['rpad("hello", 2)', 'hello  '],
    ['rpad(1, 3)', '1   '],
    ['Ltrim(" h i ")', 'h i '],
    ['rtrim(" h i ")', ' h i'],
    ['Trim(" hi ")', 'hi'],
    ['numbytes("hi")', 2],
    ['numbytes("€")', 3],
    ['regexp_matches("aaaa", "a{2,}")', true],
    ['regexp_matches("aaaa", "b")', false],
    ['regexp_replace("abcd", "bc", "x")', 'axd'],
    ['regexp_replace("abcd", "b(.*)d", "$1")', 'ac'],
    ['regexp_substr("hihihello", "hi")', 'hi'],
    ['regexp_substr("hihihello", "(hi)*")', 'hihi'],
    ['replace("abcd", "bc", "x")', 'axd'],
    ['replace("abcdabcd", "b", "x")', 'axcdaxcd'],
    ['substring("012345", 0)', '012345'],
    ['substring("012345", 2)', '2345'],
    ['substring("012345", 2.745)', '2345'],
    ['substring(123, 2)', '3'],
    ['substring("012345", -1)', '012345'],
    ['substring(true, 1.2)', 'rue'],
    ['substring(false, -2.411E247)', 'false'],
    ['substring("012345", 1, 3)', '12'],
    ['substring("012345", -50, 50)', '012345'],
    ['substring("012345", 3, 1)', ''],
  ])('%s = %j', (expr, expected) => {
    expect(value(expr)).toEqual(expected);
  });

  it('concat() with no argument is Undefined', () => {
    expect(value('isUndefined(concat())')).toBe(true);
  });

  it.each([
    ['concat([1, 2, 3], 4)', [1, 2, 3, 4]],
    ['concat([1, 2, 3], "hello")', [1, 2, 3, 'hello']],
    ['concat([1, 2, 3], "hello", [4, 5, 6])', [1, 2, 3, 'hello', 4, 5, 6]],
  ])('%s = %j', (expr, expected) => {
    expect(value(expr)).toEqual(expected);
  });

  it('endswith and startswith are Undefined when an argument is Null', () => {
    expect(value('isUndefined(startswith(null, "a"))')).toBe(true);
    expect(value('isUndefined(endswith("a", missing))')).toBe(true);
  });
});

describe('type and collection functions (documented examples)', () => {
  it.each([
    ['cast(true as Int)', 1],
    ['cast("12.7" as Int)', 12],
    ['cast(0 as Boolean)', false],
    ['cast("TRUE" as Bool)', true],
    ['cast(5 as String)', '5'],
    ['isNull(5)', false],
    ['isNull(Null)', true],
    ['isUndefined(5)', false],
    ['get(["a", "b", "c"], 1)', 'b'],
    ['get({"a":"b"}, "a")', 'b'],
    ['sql_version()', '2016-03-23'],
    ['accountid()', '000000000000'],
    ['newuuid()', 'uuid-1'],
    ['rand()', 0.5],
  ])('%s = %j', (expr, expected) => {
    expect(value(expr)).toEqual(expected);
  });

  it('decode(encoded_temp, "base64").temperature reads into the decoded JSON document', () => {
    const out = value('decode(encoded_temp,"base64").temperature', { encoded_temp: 'eyAidGVtcGVyYXR1cmUiOiAzMyB9Cg==' });
    expect(out).toBe(33);
  });

  it('decode returns the decoded text when it is not JSON, and Null when it is not base64', () => {
    expect(value('decode("aGVsbG8=", "base64")')).toBe('hello');
    expect(value('decode("***", "base64")')).toBeNull();
  });

  it('encode(expr, "base64") encodes the string form of the value', () => {
    expect(value('encode("hello", "base64")')).toBe('aGVsbG8=');
  });

  it('transform enrichArray adds the object attributes to each element (example 1)', () => {
    const payload = { attributes: { data1: 1, data2: 2 }, values: [{ a: 3 }, { b: 4 }, { c: 5 }] };
    expect(value('transform("enrichArray", attributes, values)', payload)).toEqual([
      { a: 3, data1: 1, data2: 2 },
      { b: 4, data1: 1, data2: 2 },
      { c: 5, data1: 1, data2: 2 },
    ]);
  });

  it('transform with an object literal renames attributes (example 2)', () => {
    const payload = { attributes: { data1: 1, data2: 2 }, values: [{ a: 3 }, { b: 4 }, { c: 5 }] };
    expect(value('transform("enrichArray", {"key": attributes.data1}, values)', payload)).toEqual([
      { a: 3, key: 1 },
      { b: 4, key: 1 },
      { c: 5, key: 1 },
    ]);
  });

  it('transform over nested SELECTs (example 3)', () => {
    const payload = {
      data1: 'example',
      data2: {
        a: 'first attribute',
        b: 'second attribute',
        c: [
          { x: { someInt: 5, someString: 'hello' }, y: true },
          { x: { someInt: 10, someString: 'world' }, y: false },
        ],
      },
    };
    expect(value("transform('enrichArray', (select a, b from data2), (select value c from data2))", payload)).toEqual([
      { x: { someInt: 5, someString: 'hello' }, y: true, a: 'first attribute', b: 'second attribute' },
      { x: { someInt: 10, someString: 'world' }, y: false, a: 'first attribute', b: 'second attribute' },
    ]);
  });
});

describe('hashing functions (documented examples)', () => {
  it.each([
    ['md2("hello")', 'a9046c73e00331af68917d3804f70655'],
    ['md5("hello")', '5d41402abc4b2a76b9719d911017c592'],
  ])('%s = %j', (expr, expected) => {
    expect(value(expr)).toBe(expected);
  });

  it('hashes a property value (JSON extensions page: md5(deviceid) AS hashed_id)', () => {
    const payload = { deviceid: 'iot123', temp: 54.98, humidity: 32.43, coords: { latitude: 47.615694, longitude: -122.3359976 } };
    expect(run("SELECT temp, md5(deviceid) AS hashed_id FROM 'topic/#'", payload, 'topic/x')).toEqual({
      temp: 54.98,
      hashed_id: 'e37f81fb397e595c4aeb5645b8cbbbd1',
    });
  });

  it('applies the standard string conversion to non-string arguments, and Null is Undefined', () => {
    expect(value('sha1(123)')).toBe(createHash('sha1').update('123').digest('hex'));
    expect(value('md5([1,2])')).toBe(createHash('md5').update('[1,2]').digest('hex'));
    expect(value('isUndefined(sha256(null))')).toBe(true);
  });

  it.each(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'])('%s agrees with node:crypto on any string', (name) => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(value(`${name}(s)`, { s: text })).toBe(createHash(name).update(text, 'utf8').digest('hex'));
      }),
      { numRuns: 50 },
    );
  });
});

describe('time functions (documented examples)', () => {
  it('parse_time formats in a time zone (America/Belize)', () => {
    expect(value('parse_time("yyyy.MM.dd G \'at\' HH:mm:ss z", 100000000, "America/Belize")')).toBe('1970.01.01 AD at 21:46:40 CST');
  });

  it('parse_time defaults to UTC, and formats timestamp()', () => {
    expect(value('parse_time("yyyy", timestamp(), "UTC")')).toBe('2023');
    expect(value('parse_time("yyyy-MM-dd HH:mm:ss", 0)')).toBe('1970-01-01 00:00:00');
  });

  it.each([
    ['time_to_epoch("2020-04-03 09:45:18 UTC+01:00", "yyyy-MM-dd HH:mm:ss VV")', 1585903518000],
    ['time_to_epoch("18 December 2015", "dd MMMM yyyy")', 1450396800000],
    ['time_to_epoch("2007-12-03 10:15:30.592 America/Los_Angeles", "yyyy-MM-dd HH:mm:ss.SSS z")', 1196705730592],
  ])('%s = %d', (expr, expected) => {
    expect(value(expr)).toBe(expected);
  });

  it('time_to_epoch reads offsets, 12-hour clocks and short month names; a string that does not match is Undefined', () => {
    expect(value('time_to_epoch("2020-04-03T09:45:18+0200", "yyyy-MM-dd\'T\'HH:mm:ssZ")')).toBe(Date.UTC(2020, 3, 3, 7, 45, 18));
    expect(value('time_to_epoch("03 Apr 2020 09:45 PM", "dd MMM yyyy hh:mm a")')).toBe(Date.UTC(2020, 3, 3, 21, 45));
    expect(value('isUndefined(time_to_epoch("not a date", "yyyy-MM-dd"))')).toBe(true);
    expect(value('isUndefined(time_to_epoch("2020-04-31", "yyyy-MM-dd"))')).toBe(true);
  });

  it("time_to_epoch(parse_time(pattern, t, zone), pattern) gives t back (to the pattern's precision)", () => {
    const zones = ['UTC', 'America/Los_Angeles', 'Europe/Paris', 'Asia/Kolkata'];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(...zones), (t, zone) => {
        const pattern = 'yyyy-MM-dd HH:mm:ss.SSS Z';
        expect(value(`time_to_epoch(parse_time("${pattern}", t, "${zone}"), "${pattern}")`, { t })).toBe(t);
      }),
      { numRuns: 200 },
    );
  });

  it('timestamp() is the broker receive time, the same for every call in a rule', () => {
    expect(value('[timestamp(), timestamp()]')).toEqual([1_700_000_000_000, 1_700_000_000_000]);
  });
});

describe('nanvl (documented table)', () => {
  it.each([
    ['nanvl(8, 3)', 8], // the documented example
    ['nanvl(missing, 3)', 3], // Undefined | Any value: the second argument
    ['nanvl(null, 3)', 3], // Null | Any value
    ['nanvl("x", 3)', 'x'], // Other value | Any value: the first argument
  ])('%s = %j', (expr, expected) => {
    expect(value(expr)).toEqual(expected);
  });
});

describe('get_or_default', () => {
  it('returns the expression when it has a value, the default when it is Undefined or Null', () => {
    expect(value('get_or_default(a, "none")', { a: 1 })).toBe(1);
    expect(value('get_or_default(missing, "none")')).toBe('none');
    expect(value('get_or_default(a, "none")', { a: null })).toBe('none');
    expect(value('get_or_default(a.b.c, 0)', { a: {} })).toBe(0);
  });

  it('returns the default when the expression fails (a function that needs an unavailable service)', () => {
    expect(value('get_or_default(get_dynamodb("t", "k", "v", "arn:aws:iam::1:role/r"), "offline")')).toBe('offline');
  });
});

describe('MQTT 5 property functions', () => {
  const mqtt5 = {
    payloadFormatIndicator: 1 as const,
    contentType: 'application/json',
    responseTopic: 'reply/here',
    correlationData: new TextEncoder().encode('abc'),
    userProperties: [
      ['deviceName', 'alpha'],
      ['tag', 'a'],
      ['tag', 'b'],
    ] as const,
  };
  const sql =
    "SELECT get_mqtt_property('format_indicator') AS f, get_mqtt_property('content_type') AS c, get_mqtt_property('response_topic') AS r, " +
    "get_mqtt_property('correlation_data') AS d, get_user_properties('tag') AS tags, get_user_properties('deviceName') AS name FROM 'a'";

  it('reads the PUBLISH properties (correlation data in base64)', () => {
    expect(run(sql, {}, 'a', { mqtt5 })).toEqual({
      f: 'UTF8_DATA',
      c: 'application/json',
      r: 'reply/here',
      d: 'YWJj',
      tags: ['a', 'b'],
      name: ['alpha'],
    });
  });

  it('is Undefined for properties the message does not carry', () => {
    expect(run(sql, {}, 'a')).toEqual({});
  });
});

describe('functions that need another AWS service', () => {
  it.each([
    "aws_lambda('arn:aws:lambda:us-east-1:123456789012:function:f', {'payload': attribute1})",
    "aws_lambda('arn:aws:lambda:us-east-1:123456789012:function:f', *)",
    "get_dynamodb('InServiceDevices', 'deviceId', id, 'arn:aws:iam::12345678910:role/getdynamo')",
    "get_secret('API_KEY', 'SecretString', 'API_KEY_VALUE', 'arn:aws:iam::12345678910:role/getsecret')",
    "get_thing_shadow('MyThing', 'MyThingShadow', 'arn:aws:iam::123456789012:role/AllowsThingShadowAccess')",
    "get_thing_shadow('MyThing', 'arn:aws:iam::123456789012:role/AllowsThingShadowAccess')",
    "get_registry_data('DescribeThing', 'MyThing', 'arn:aws:iam::123456789012:role/r')",
    "machinelearning_predict('model-1', 'arn:aws:iam::123456789012:role/r', *)",
    "decode(*, 'proto', 'bucket', 'key.desc', 'file.proto', 'Message')",
  ])('%s compiles, then fails when evaluated with a message naming the service', (call) => {
    const rule = compileRule(`SELECT ${call} AS out FROM 'a'`);
    let error: unknown;
    try {
      rule.evaluate(jsonMessage({ attribute1: 21, id: 'd1' }, 'a'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IotSqlEvaluationError);
    expect((error as Error).message).toMatch(/needs .+ not available to the local AWS IoT Core stand-in/);
  });

  it('fails in WHERE too (the documented get_thing_shadow example), never reading as a silent no-match', () => {
    const rule = compileRule(
      'SELECT * from \'topic/subtopic\' WHERE get_thing_shadow("MyThing","arn:aws:iam::123456789012:role/AllowsThingShadowAccess").state.reported.alarm = \'ON\'',
    );
    expect(() => rule.evaluate(jsonMessage({}))).toThrow(IotSqlEvaluationError);
  });
});
