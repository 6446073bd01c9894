/**
 * SQL versions (https://docs.aws.amazon.com/iot/latest/developerguide/iot-rule-sql-version.html): a rule picks
 * 2015-10-08, 2016-03-23 (the default) or beta with `awsIotSqlVersion`. What 2016-03-23 added is what 2015-10-08
 * lacks: nested object queries, literals (iot-sql-literals.html: "available only when using SQL version
 * 2016-03-23 or later"), an array as the top-level output, encode(), and the functions marked "Supported by SQL
 * version 2016-03-23 and later"; cast() to Decimal/Bool/Boolean is "Additionally, for SQL version 2016-03-23".
 */
import { describe, expect, it } from 'vitest';
import { compileRule } from './compile-rule.ts';
import { IotSqlError } from './iot-sql-error.ts';
import { compileTemplateFor } from './substitute-template.ts';
import { jsonMessage, run, value, valueIn } from './test-helpers.ts';

const v1 = { awsIotSqlVersion: '2015-10-08' } as const;

describe('choosing a version', () => {
  it('defaults to 2016-03-23; sql_version() answers the rule version', () => {
    expect(compileRule("SELECT 1 FROM 'a'").version).toBe('2016-03-23');
    expect(value('sql_version()')).toBe('2016-03-23');
    expect(valueIn('2015-10-08', 'sql_version()')).toBe('2015-10-08');
    expect(valueIn('beta', 'sql_version()')).toBe('beta');
  });

  it('refuses an unknown version', () => {
    expect(() => compileRule("SELECT 1 FROM 'a'", { awsIotSqlVersion: '2020-01-01' as never })).toThrow(IotSqlError);
  });
});

describe('what 2016-03-23 added', () => {
  const message = { a: { b: 'c' }, arr: [1, 2, 3, 4] };

  it("outputs an array as a top-level object: SELECT VALUE arr gives [1,2,3,4] (the page's example)", () => {
    expect(run("SELECT VALUE arr FROM 'topic'", message, 'topic')).toEqual([1, 2, 3, 4]);
    expect(run("SELECT VALUE arr FROM 'topic'", message, 'topic', {}, { awsIotSqlVersion: 'beta' })).toEqual([1, 2, 3, 4]);
  });

  it('2015-10-08 cannot output a top-level array: the rule matches with no output', () => {
    // The page documents the feature, not what 2015-10-08 did instead; no output is this implementation's choice.
    expect(compileRule("SELECT VALUE arr FROM 'topic'", v1).evaluate(jsonMessage(message, 'topic'))).toEqual({
      matched: true,
      output: undefined,
    });
    expect(run("SELECT VALUE a FROM 'topic'", message, 'topic', {}, v1)).toEqual({ b: 'c' });
  });

  it.each([
    ["SELECT [a, b] AS l FROM 'a'", 7, /array literals require SQL version 2016-03-23/],
    ["SELECT {'k': a} AS l FROM 'a'", 7, /object literals require SQL version 2016-03-23/],
    ["SELECT (SELECT VALUE n FROM e) AS s FROM 'a'", 7, /nested object queries require SQL version 2016-03-23/],
    ["SELECT encode(a, 'base64') AS e FROM 'a'", 7, /Undefined function: encode in SQL version 2015-10-08/],
    ["SELECT a FROM 'a' WHERE isUndefined(b)", 24, /Undefined function: isUndefined/],
    ["SELECT indexof(a, 'x'), length(a), numbytes(a) FROM 'a'", 7, /Undefined function: indexof/],
    ["SELECT parse_time('yyyy', 0) FROM 'a'", 7, /Undefined function: parse_time/],
  ])('2015-10-08 rejects %j at %d', (sql, position, reason) => {
    let error: unknown;
    try {
      compileRule(sql, v1);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IotSqlError);
    expect((error as IotSqlError).position).toBe(position);
    expect((error as IotSqlError).reason).toMatch(reason);
  });

  it('2015-10-08 still has the functions marked "2015-10-08 and later"', () => {
    expect(run("SELECT upper(a.b) AS u, md5('hello') AS h, concat(arr, 5) AS c FROM 'a'", message, 'a', {}, v1)).toEqual({
      u: 'C',
      h: '5d41402abc4b2a76b9719d911017c592',
      c: [1, 2, 3, 4, 5],
    });
  });

  it('cast() to Decimal, Bool and Boolean is Undefined in 2015-10-08; String, Int and Double keywords work in both', () => {
    expect(run("SELECT cast('2.5' AS Double) AS d, cast(2.7 AS Int) AS i, cast(1 AS String) AS s FROM 'a'", {}, 'a', {}, v1)).toEqual({
      d: 2.5,
      i: 2,
      s: '1',
    });
    expect(run("SELECT cast(1 AS Decimal) AS d, cast(1 AS Boolean) AS b FROM 'a'", {}, 'a', {}, v1)).toEqual({});
    expect(value('[cast("2.5" AS Decimal), cast(1 AS Boolean)]')).toEqual([2.5, true]);
  });

  it('substitution templates follow the rule version', () => {
    expect(() => compileTemplateFor('${[a]}', v1)).toThrow(/array literals/);
    expect(compileTemplateFor('${sql_version()}', v1).render(jsonMessage({}))).toBe('2015-10-08');
  });
});
