/**
 * Nested object queries (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-nested-queries.html):
 * the documented examples with their outputs, and the FROM-expression forms they rely on.
 */
import { describe, expect, it } from 'vitest';
import { run } from './test-helpers.ts';

const message = {
  e: [
    { n: 'temperature', u: 'Cel', t: 1234, v: 22.5 },
    { n: 'light', u: 'lm', t: 1235, v: 135 },
    { n: 'acidity', u: 'pH', t: 1235, v: 7 },
  ],
};

describe('nested object queries (documented examples)', () => {
  it('converts values to a new array: SELECT (SELECT VALUE n FROM e) as sensors', () => {
    expect(run("SELECT (SELECT VALUE n FROM e) as sensors FROM 'my/topic'", message, 'my/topic')).toEqual({
      sensors: ['temperature', 'light', 'acidity'],
    });
  });

  it("queries a value within a nested object: (SELECT v FROM e WHERE n = 'temperature')", () => {
    expect(run("SELECT (SELECT v FROM e WHERE n = 'temperature') as temperature FROM 'my/topic'", message, 'my/topic')).toEqual({
      temperature: [{ v: 22.5 }],
    });
  });

  it("flattens the output: get((SELECT v FROM e WHERE n = 'temperature'), 0).v", () => {
    expect(run("SELECT get((SELECT v FROM e WHERE n = 'temperature'), 0).v as temperature FROM 'topic'", message, 'topic')).toEqual({
      temperature: 22.5,
    });
  });
});

describe('nested queries over other sources', () => {
  it('over an object: one result, or Undefined when WHERE is not true', () => {
    const payload = { data2: { a: 1, b: 2, c: 3 } };
    expect(run("SELECT (SELECT a, b FROM data2) AS ab FROM 'x'", payload, 'x')).toEqual({ ab: { a: 1, b: 2 } });
    expect(run("SELECT (SELECT a FROM data2 WHERE a > 5) AS ab FROM 'x'", payload, 'x')).toEqual({});
  });

  it('over a nested path and inside another nested query', () => {
    const payload = {
      site: {
        rooms: [
          { name: 'a', lamps: [{ on: true }, { on: false }] },
          { name: 'b', lamps: [{ on: true }] },
        ],
      },
    };
    const sql = "SELECT (SELECT name, (SELECT VALUE on FROM lamps) AS states FROM site.rooms) AS rooms FROM 'x'";
    expect(run(sql, payload, 'x')).toEqual({
      rooms: [
        { name: 'a', states: [true, false] },
        { name: 'b', states: [true] },
      ],
    });
  });

  it('over something that is neither an array nor an object: Undefined', () => {
    expect(run("SELECT (SELECT VALUE n FROM e) AS s FROM 'x'", { e: 5 }, 'x')).toEqual({});
  });
});
