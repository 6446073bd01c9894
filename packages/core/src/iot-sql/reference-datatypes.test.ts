/**
 * Data types and conversions (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-data-types.html)
 * and the casting rules of cast() (iot-sql-functions.html#iot-sql-function-cast): one example per table row.
 * The conversions show through the functions that apply them: abs() converts to Decimal, bitor(x, 0) to Int,
 * NOT to Boolean, upper() to String.
 */
import { describe, expect, it } from 'vitest';
import { compileRule } from './compile-rule.ts';
import { substituteTemplate } from './substitute-template.ts';
import { jsonMessage, run, value } from './test-helpers.ts';

const typed = { i: -5, d: -2.5, t: true, s: '-5.123', sx: 'abc', a: [1], o: { k: 1 }, n: null };
const v = (expr: string) => value(expr, typed);
const isUndefined = (expr: string) => value(`isUndefined(${expr})`, typed);

describe('data types', () => {
  it('Null is a value (SELECT NULL AS n); Undefined is omitted from JSON: {"foo": null} has foo Null and bar Undefined', () => {
    expect(run("SELECT NULL AS n FROM 'a/b'", {}, 'a/b')).toEqual({ n: null });
    expect(run("SELECT foo, bar FROM 'a/b'", { foo: null }, 'a/b')).toEqual({ foo: null });
    expect(value('[isNull(foo), isUndefined(bar)]', { foo: null })).toEqual([true, true]);
  });

  it('Undefined serializes by itself as an empty string', () => {
    expect(substituteTemplate('[${bar}]', jsonMessage({ foo: null }))).toBe('[]');
  });

  it('functions called with invalid arguments (wrong types) return Undefined', () => {
    expect(isUndefined('floor([1,2,3])')).toBe(true);
    expect(isUndefined('sqrt("nine")')).toBe(true);
  });

  it('2016-03-23 reads a whole Decimal such as 10.0 as the Int 10', () => {
    expect(run("SELECT VALUE x FROM 'a/b'", JSON.parse('{"x": 10.0}'), 'a/b')).toBe(10);
    expect(value('cast(10.0 AS Decimal)')).toBe(10);
  });
});

describe('conversions: to Decimal (through abs)', () => {
  it.each([
    ['abs(i)', 5], // Int: a Decimal with no decimal point
    ['abs(d)', 2.5], // Decimal: the source value
    ['abs(s)', 5.123], // String matching ^-?\d+(\.\d+)?((?i)E-?\d+)?$
    ['abs("5E-12")', 5e-12],
    ['abs("0")', 0],
  ])('%s = %j', (expr, expected) => expect(v(expr)).toBe(expected));

  // Boolean, other strings, Array, Object: Undefined; Null and Undefined: not converted (abs gives Undefined)
  it.each(['abs(t)', 'abs(sx)', 'abs("1.")', 'abs(a)', 'abs(o)', 'abs(n)', 'abs(missing)'])('%s is Undefined', (expr) =>
    expect(isUndefined(expr)).toBe(true),
  );
});

describe('conversions: to Int (through bitor(x, 0))', () => {
  it.each([
    ['bitor(i, 0)', -5], // Int: the source value
    ['bitor(2.7, 0)', 2], // Decimal: the functions round down ("rounded down to the nearest Int")
    ['bitor(d, 0)', -3],
    ['bitor("12.9", 0)', 12], // String: parsed as a Decimal, then rounded down
  ])('%s = %j', (expr, expected) => expect(v(expr)).toBe(expected));

  it.each(['bitor(t, 0)', 'bitor(sx, 0)', 'bitor(a, 0)', 'bitor(o, 0)', 'bitor(n, 0)', 'bitor(missing, 0)'])('%s is Undefined', (expr) =>
    expect(isUndefined(expr)).toBe(true),
  );
});

describe('conversions: to Boolean (through NOT)', () => {
  it.each([
    ['NOT t', false], // Boolean: the original value
    ['NOT "TRUE"', false], // "true"/"false" in any case
    ['NOT "False"', true],
  ])('%s = %j', (expr, expected) => expect(v(expr)).toBe(expected));

  // Int and Decimal (only cast() turns numbers into Booleans), other strings, Array, Object, Null, Undefined
  it.each(['NOT i', 'NOT d', 'NOT sx', 'NOT a', 'NOT o', 'NOT n', 'NOT missing'])('%s is Undefined', (expr) =>
    expect(isUndefined(expr)).toBe(true),
  );
});

describe('conversions: to String (through upper)', () => {
  it.each([
    ['upper(i)', '-5'], // Int: standard notation
    ['upper(d)', '-2.5'], // Decimal
    ['upper(t)', 'TRUE'], // Boolean: "true", upper-cased by upper()
    ['upper(sx)', 'ABC'], // String: the original value
    ['upper(["a", 1, null])', '["A",1,NULL]'], // Array: JSON; strings quoted, numbers, booleans and Null not
    ['upper({"k": "v"})', '{"K":"V"}'], // Object: JSON
  ])('%s = %j', (expr, expected) => expect(v(expr)).toBe(expected));

  it.each(['upper(n)', 'upper(missing)'])('%s is Undefined', (expr) => expect(isUndefined(expr)).toBe(true));
});

describe('cast()', () => {
  it('cast(true as Int) = 1 (documented example)', () => {
    expect(value('cast(true as Int)')).toBe(1);
  });

  it.each([
    // Cast to decimal
    ['cast(i AS Decimal)', -5],
    ['cast(d AS Decimal)', -2.5],
    ['cast(t AS Decimal)', 1],
    ['cast(false AS Decimal)', 0],
    ['cast("5E-12" AS Decimal)', 5e-12],
    ['cast(s AS Double)', -5.123],
    // Cast to int: Decimals and numeric strings rounded down
    ['cast(i AS Int)', -5],
    ['cast(d AS Int)', -3],
    ['cast(2.7 AS Integer)', 2],
    ['cast(false AS Int)', 0],
    ['cast("-1.2" AS Int)', -2],
    // Cast to Boolean: 0 = false, any non-zero value = true
    ['cast(0 AS Boolean)', false],
    ['cast(i AS Bool)', true],
    ['cast(0.0 AS Boolean)', false],
    ['cast(d AS Boolean)', true],
    ['cast(t AS Boolean)', true],
    ['cast("FALSE" AS Boolean)', false],
    // Cast to string, under each of its keywords
    ['cast(i AS String)', '-5'],
    ['cast(d AS Nvarchar)', '-2.5'],
    ['cast(t AS Text)', 'true'],
    ['cast(sx AS Ntext)', 'abc'], // the page's "String" row repeats the Boolean text: a String stays itself
    ['cast(a AS varchar)', '[1]'],
    ['cast(o AS String)', '{"k":1}'],
  ])('%s = %j', (expr, expected) => expect(v(expr)).toBe(expected));

  it.each([
    'cast(sx AS Decimal)',
    'cast(a AS Decimal)',
    'cast(o AS Int)',
    'cast(n AS Int)',
    'cast(missing AS Decimal)',
    'cast(sx AS Boolean)',
    'cast(a AS Boolean)',
    'cast(n AS Boolean)',
    'cast(n AS String)',
    'cast(missing AS String)',
    'cast(1 AS Blob)',
  ])('%s is Undefined', (expr) => expect(isUndefined(expr)).toBe(true));

  it('accepts the type keywords in any case', () => {
    expect(compileRule("SELECT cast(a AS iNtEgEr) AS x FROM 'a'").evaluate(jsonMessage({ a: '3' }, 'a'))).toEqual({
      matched: true,
      output: { x: 3 },
    });
  });
});
