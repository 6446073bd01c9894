/**
 * Every row of every operator table of https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-operators.html
 * ("Left operand | Right operand | Output"), with an example per row. Values come from the payload so that
 * the operands have the row's types; `isUndefined(...)` shows an Undefined result (SELECT VALUE drops it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { value } from './test-helpers.ts';

/** Operands of every type: Int, Decimal, Boolean, String (numeric, boolean-like, other), Array, Object, Null. */
const p = {
  i: 7,
  j: 2,
  d: 2.5,
  t: true,
  f: false,
  s: 'abc',
  sn: '10',
  sd: '2.5',
  st: 'TRUE',
  sf: 'false',
  a: [1, 2],
  o: { k: 1 },
  n: null,
};
const v = (expr: string) => value(expr, p);
const isUndefined = (expr: string) => value(`isUndefined(${expr})`, p);

describe('AND / OR / NOT', () => {
  it.each([
    // Boolean | Boolean | Boolean
    ['t AND t', true],
    ['t AND f', false],
    ['f OR t', true],
    ['f OR f', false],
    // String/Boolean | String/Boolean: "true"/"false" strings (case insensitive) are converted
    ['st AND t', true],
    ['sf OR st', true],
    ['sf AND t', false],
    ['NOT t', false],
    ['NOT sf', true],
    ['NOT st', false],
  ])('%s = %j', (expr, expected) => expect(v(expr)).toBe(expected));

  // Other value | Other value | Undefined
  it.each(['i AND t', 't OR s', 'n AND t', 'a OR f', 'NOT i', 'NOT s', 'NOT n', 'missing AND t'])('%s is Undefined', (expr) =>
    expect(isUndefined(expr)).toBe(true),
  );
});

describe('> >= < <=', () => {
  it.each([
    // Int/Decimal | Int/Decimal | Boolean
    ['i > j', true],
    ['d >= 2.5', true],
    ['j < d', true],
    ['i <= j', false],
    // String/Int/Decimal | String/Int/Decimal: strings that convert to Decimal are compared as Decimals
    ['sn > i', true],
    ['sd <= d', true],
    ['"5E-12" < 1', true],
    ['"-1.2" < "0"', true],
  ])('%s = %j', (expr, expected) => expect(v(expr)).toBe(expected));

  // Other value | Undefined
  it.each(['s > 1', 't < 2', 'a >= 1', 'o <= 1', 'n > 0', 'missing < 1', '"abc" < "abd"'])('%s is Undefined', (expr) =>
    expect(isUndefined(expr)).toBe(true),
  );
});

describe('= and <>', () => {
  it.each([
    ['i = 7', true], // Int | Int
    ['d = 2.5', true], // Decimal | Decimal
    ['i = 7.0', true], // "Int is converted to Decimal before being compared"
    ['s = "abc"', true], // String | String
    ['a = [1, 2]', true], // Array | Array: same items in the same order
    ['a = [2, 1]', false],
    ['o = {"k": 1}', true], // Object | Object: keys and values, order unimportant
    ['{"x": 1, "y": 2} = {"y": 2, "x": 1}', true],
    ['sn = 10', false], // Mismatched type: false
    ['t = "true"', false],
    ['n = 0', false],
    ['i <> 8', true],
    ['d <> 2.5', false],
    ['s <> "abd"', true],
    ['a <> [1, 2]', false], // "True if the items in each operand are not equal and not in the same order"
    ['a <> [2, 1]', true],
    ['o <> {"k": 2}', true],
    ['n <> null', false], // Null | Null | False
    ['sn <> 10', true], // Mismatched type: true
  ])('%s = %j', (expr, expected) => expect(v(expr)).toBe(expected));

  // Any value | Undefined and Undefined | Any value: Undefined
  it.each(['missing = 1', '1 = missing', 'missing <> n', 'n <> missing'])('%s is Undefined', (expr) =>
    expect(isUndefined(expr)).toBe(true),
  );
});

describe('+', () => {
  it.each([
    ['s + i', 'abc7'], // String | Any value: right converted to a string and concatenated
    ['s + t', 'abctrue'],
    ['s + a', 'abc[1,2]'],
    ['s + o', 'abc{"k":1}'],
    ['i + s', '7abc'], // Any value | String
    ['sn + i', '107'], // a numeric string still concatenates: the String rows come first
    ['i + j', 9], // Int | Int: Int
    ['i + d', 9.5], // Int/Decimal | Int/Decimal: Decimal
  ])('%s = %j', (expr, expected) => expect(v(expr)).toEqual(expected));

  // Other value | Other value | Undefined; and a String with Null/Undefined (which convert to no string)
  it.each(['t + 1', 'a + 1', 'o + o', 'n + 1', 'missing + 1', 's + n', 's + missing'])('%s is Undefined', (expr) =>
    expect(isUndefined(expr)).toBe(true),
  );
});

describe('- * / %', () => {
  it.each([
    ['i - j', 5], // Int | Int: Int
    ['i - d', 4.5], // Int/Decimal: Decimal
    ['sn - i', 3], // String/Int/Decimal: strings converted to Decimal
    ['i * j', 14],
    ['d * j', 5],
    ['sd * "2"', 5],
    ['i / j', 3], // Int / Int is an Int
    ['i / d', 2.8], // Decimal
    ['sn / "4"', 2.5], // strings convert to Decimals: a Decimal result, no integer division
    ['i % j', 1], // Int % Int: Int
    ['-7 % 3', -1], // remainder keeps the dividend's sign (Java)
    ['d % j', 0.5],
    ['sn % "3"', 1],
  ])('%s = %j', (expr, expected) => expect(v(expr)).toBe(expected));

  // Other value | Other value | Undefined (and division by zero, which has no Decimal result)
  it.each(['s - 1', 't * 2', 'a / 1', 'o % 2', 'n - 1', 'missing * 2', 'i / 0', 'i % 0'])('%s is Undefined', (expr) =>
    expect(isUndefined(expr)).toBe(true),
  );
});

describe('IN and CONTAINS', () => {
  it.each([
    ['2 IN a', true],
    ['3 IN a', false],
    ['{"k": 1} IN [o]', true],
    ['a CONTAINS 1', true],
    ['a CONTAINS 5', false],
    ['s CONTAINS "bc"', true],
    ['s CONTAINS "x"', false],
  ])('%s = %j', (expr, expected) => expect(v(expr)).toBe(expected));

  it.each(['missing IN a', '1 IN s', 'i CONTAINS 1', 'a CONTAINS missing'])('%s is Undefined', (expr) =>
    expect(isUndefined(expr)).toBe(true),
  );
});

describe('properties', () => {
  const operand = fc.oneof(
    fc.integer({ min: -1000, max: 1000 }),
    fc.double({ min: -1000, max: 1000, noNaN: true }),
    fc.boolean(),
    fc.string({ maxLength: 5 }),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  );
  const ops = ['+', '-', '*', '/', '%', '=', '<>', '<', '<=', '>', '>=', 'AND', 'OR'] as const;

  it('every operator is total over every pair of types: a JSON value or Undefined, never an exception', () => {
    fc.assert(
      fc.property(operand, operand, fc.constantFrom(...ops), (l, r, op) => {
        const out = value(`isUndefined(l ${op} r) OR (l ${op} r) IS NOT UNDEFINED`, { l, r });
        expect(out).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('Int + Int, Int - Int and Int * Int are the exact integer results', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -1e6, max: 1e6 }), (a, b) => {
        expect(value('[a + b, a - b, a * b]', { a, b })).toEqual([a + b, a - b, a * b]);
      }),
    );
  });

  it('Int / Int truncates toward zero and (a / b) * b + a % b = a, as in Java', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.integer({ min: -1000, max: 1000 }).filter((b) => b !== 0),
        (a, b) => {
          expect(value('(a / b) * b + a % b', { a, b })).toBe(a);
        },
      ),
    );
  });
});
