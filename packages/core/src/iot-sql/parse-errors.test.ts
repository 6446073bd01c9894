/**
 * Every statement AWS refuses in CreateTopicRule throws IotSqlError with the position and reason of the
 * problem; sqlParseMessage words it as AWS's SqlParseException does (`Line 1:9: mismatched input ...`,
 * ANTLR's line:column, the column 0-based).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRule } from './compile-rule.ts';
import { IotSqlError, lineAndColumn, sqlParseMessage } from './iot-sql-error.ts';
import { compileTemplate } from './substitute-template.ts';
import { jsonMessage } from './test-helpers.ts';

function errorOf(compile: () => unknown): IotSqlError {
  try {
    compile();
  } catch (err) {
    if (err instanceof IotSqlError) return err;
    throw err;
  }
  throw new Error('expected an IotSqlError, nothing was thrown');
}

describe('sqlParseMessage', () => {
  it.each([
    ["SELECT * FRM 'a/b'", "Line 1:9: mismatched input 'FRM' expecting FROM"],
    ["SELECT FROM 'a'", "Line 1:7: mismatched input 'FROM' expecting an expression"],
    ["SELECT a FROM 'a' WHERE", "Line 1:23: mismatched input '<EOF>' expecting an expression"],
    ["SELECT a b FROM 'a'", "Line 1:9: mismatched input 'b' expecting FROM"],
    ["SELECT a FROM 'a' WHERE a = 1)", "Line 1:29: mismatched input ')' expecting <EOF>"],
    ['SELECT a FROM 42', "Line 1:14: mismatched input '42' expecting a topic filter"],
    ["SELECT (a FROM 'a'", "Line 1:10: mismatched input 'FROM' expecting ')'"],
    ["SELECT a IS 5 FROM 'a'", "Line 1:12: mismatched input '5' expecting {NULL, UNDEFINED}"],
    ["SELECT a ; FROM 'a'", "Line 1:9: token recognition error at: ';'"],
    ["SELECT 'abc FROM 'a'", 'Line 1:19: unterminated string literal'],
    ["SELECT nope(a) FROM 'a'", 'Line 1:7: Undefined function: nope'],
    ["SELECT upper(a, b) FROM 'a'", 'Line 1:7: Wrong number of arguments for function upper: expected 1, found 2'],
    ["SELECT substring(a) FROM 'a'", 'Line 1:7: Wrong number of arguments for function substring: expected 2 to 3, found 1'],
    ["SELECT a FROM 'a/#/b'", 'Line 1:15: Invalid topic filter "a/#/b": "#" must be a whole level and the last one'],
    ["SELECT a FROM 'a/b+'", 'Line 1:15: Invalid topic filter "a/b+": "+" must be a whole level'],
    ["SELECT @v FROM 'a'", 'Line 1:7: Undefined variable: @v (assign it in the SET clause before using it)'],
  ])('%j → %s', (sql, message) => {
    expect(sqlParseMessage(errorOf(() => compileRule(sql)))).toBe(message);
  });

  it('counts lines and columns in a statement written over several lines', () => {
    const sql = "SELECT temp\nFROM 'a/b'\nWHERE temp >";
    const error = errorOf(() => compileRule(sql));
    expect(lineAndColumn(sql, error.position)).toEqual({ line: 3, column: 12 });
    expect(sqlParseMessage(error)).toBe("Line 3:12: mismatched input '<EOF>' expecting an expression");
  });

  it('keeps the position, the reason and the statement on the error', () => {
    const error = errorOf(() => compileRule("SELECT * FRM 'a/b'"));
    expect(error).toMatchObject({ position: 9, reason: "mismatched input 'FRM' expecting FROM", source: "SELECT * FRM 'a/b'" });
    expect(error.message).toContain('at position 9');
  });

  it('positions a template error in the whole template', () => {
    const error = errorOf(() => compileTemplate('alerts/${upper(a, b)}'));
    expect(sqlParseMessage(error)).toBe('Line 1:9: Wrong number of arguments for function upper: expected 1, found 2');
  });
});

describe('any input', () => {
  const fragments = [
    'SELECT',
    'SET',
    '@v',
    '=',
    'FROM',
    'WHERE',
    'VALUE',
    'AS',
    'CASE',
    'WHEN',
    'THEN',
    'ELSE',
    'END',
    'AND',
    'OR',
    'NOT',
    'IS',
    'NULL',
    'IN',
    '*',
    '+',
    '-',
    '/',
    '%',
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    ',',
    '.',
    ':',
    "'a/b'",
    '"x"',
    '1',
    '2.5',
    'a',
    'b.c',
    'upper(',
    'md5(',
    'cast(',
    'Int',
    "'",
    '`',
    ';',
    '#',
  ];
  const statement = fc.array(fc.constantFrom(...fragments), { maxLength: 12 }).map((parts) => parts.join(' '));

  it('either compiles and evaluates, or throws an IotSqlError positioned inside the statement, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(statement, fc.string({ maxLength: 40 })), (sql) => {
        try {
          // A statement that compiles evaluates without throwing (no function here needs another service).
          compileRule(sql, { ruleName: 'r' }).evaluate(jsonMessage({ a: 1, b: { c: 'x' } }, 'a/b'));
        } catch (err) {
          expect(err).toBeInstanceOf(IotSqlError);
          const { position } = err as IotSqlError;
          expect(position).toBeGreaterThanOrEqual(0);
          expect(position).toBeLessThanOrEqual(sql.length);
          expect(sqlParseMessage(err as IotSqlError)).toMatch(/^Line \d+:\d+: ./);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
