/**
 * Each assertion is an example from the AWS IoT SQL functions reference
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html) unless marked otherwise.
 */
import { describe, expect, it } from 'vitest';
import { value } from './test-helpers.ts';

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
