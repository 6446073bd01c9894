/**
 * SELECT, WHERE, CASE, JSON extension and nested-query examples from the AWS IoT SQL reference
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-reference.html), with their documented outputs.
 */
import { describe, expect, it } from 'vitest';
import { compileRule } from './compile-rule.ts';
import { IotSqlError } from './iot-sql-error.ts';
import { jsonMessage, run, value } from './test-helpers.ts';

const colorTemp = { color: 'red', temperature: 50 };

describe('SELECT clause (documented examples)', () => {
  it.each([
    ["SELECT * FROM 'topic/subtopic'", colorTemp],
    ["SELECT color FROM 'topic/subtopic'", { color: 'red' }],
    ["SELECT color AS my_color FROM 'topic/subtopic'", { my_color: 'red' }],
    ["SELECT color as my_color, temperature as fahrenheit FROM 'topic/subtopic'", { my_color: 'red', fahrenheit: 50 }],
    ["SELECT *, 15 as speed FROM 'topic/subtopic'", { color: 'red', temperature: 50, speed: 15 }],
    ["SELECT VALUE color FROM 'topic/subtopic'", 'red'],
    ["SELECT (temperature - 32) * 5 / 9 AS celsius, upper(color) as my_color FROM 'topic/subtopic'", { celsius: 10, my_color: 'RED' }],
  ])('%s', (sql, expected) => {
    expect(run(sql, colorTemp)).toEqual(expected);
  });

  it("drills into nested objects with '.'", () => {
    const payload = { color: { red: 255, green: 0, blue: 0 }, temperature: 50 };
    expect(run("SELECT color.red as red_value FROM 'topic/subtopic'", payload)).toEqual({ red_value: 255 });
  });

  it('indexes arrays with [n]', () => {
    expect(run("SELECT readings[1] AS second FROM 'a'", { readings: [1, 2, 3] }, 'a')).toEqual({ second: 2 });
  });

  it('omits keys whose value is Undefined (a missing field)', () => {
    expect(run("SELECT color, missing, a.b.c AS deep FROM 'topic/subtopic'", colorTemp)).toEqual({ color: 'red' });
  });

  it('keeps Null values: Null is a value, Undefined is not', () => {
    expect(run("SELECT NULL AS n, foo, bar FROM 'topic/subtopic'", { foo: null })).toEqual({ n: null, foo: null });
  });

  it('applies functions to property values (JSON extensions example shape)', () => {
    const payload = { deviceid: 'iot123', temp: 54.98, humidity: 32.43 };
    expect(run("SELECT temp, upper(deviceid) AS id FROM 'topic/#'", payload, 'topic/x')).toEqual({ temp: 54.98, id: 'IOT123' });
  });

  it('nests the output under a dotted alias', () => {
    const payload = { foo: { bar: 'RED', bar1: 'GREEN' } };
    expect(run("SELECT foo.bar AS bar.baz FROM 'topic/subtopic'", payload)).toEqual({ bar: { baz: 'RED' } });
  });

  it('reads properties whose names need get(): get(get(get(mydata,"item2"),"0"),"my-key")', () => {
    const payload = { mydata: { item2: { '0': { 'my-key': 'myValue' } } } };
    expect(run(`SELECT * from 'iot/rules' WHERE get(get(get(mydata,"item2"),"0"),"my-key") = "myValue"`, payload, 'iot/rules')).toEqual(
      payload,
    );
  });
});

describe('WHERE clause', () => {
  it('does not fire when the WHERE clause is false (documented example)', () => {
    expect(
      run("SELECT color AS my_color FROM 'topic/subtopic' WHERE temperature > 50 AND color <> 'red'", { color: 'red', temperature: 40 }),
    ).toBe('no match');
  });

  it('fires when the WHERE clause is true', () => {
    expect(run("SELECT color FROM 'topic/subtopic' WHERE temperature >= 50 AND NOT color = 'blue'", colorTemp)).toEqual({ color: 'red' });
  });

  it('does not fire when a comparison involves Undefined: neither x > 1 nor NOT (x > 1) holds', () => {
    expect(run("SELECT * FROM 'topic/subtopic' WHERE missing > 1", colorTemp)).toBe('no match');
    expect(run("SELECT * FROM 'topic/subtopic' WHERE NOT (missing > 1)", colorTemp)).toBe('no match');
    expect(run("SELECT * FROM 'topic/subtopic' WHERE missing = 1 OR temperature = 50", colorTemp)).toBe('no match');
  });

  it('supports IS [NOT] NULL and IS [NOT] UNDEFINED', () => {
    const p = { a: null };
    expect(run("SELECT * FROM 't' WHERE a IS NULL", p, 't')).toEqual(p);
    expect(run("SELECT * FROM 't' WHERE b IS UNDEFINED AND a IS NOT UNDEFINED", p, 't')).toEqual(p);
    expect(run("SELECT * FROM 't' WHERE b IS NOT NULL", p, 't')).toEqual(p);
    expect(run("SELECT * FROM 't' WHERE a IS NOT NULL", p, 't')).toBe('no match');
  });

  it('converts numeric strings for comparisons and treats "true"/"false" strings as Booleans', () => {
    expect(run("SELECT * FROM 't' WHERE level > 5 AND flag", { level: '7', flag: 'TRUE' }, 't')).toEqual({ level: '7', flag: 'TRUE' });
  });

  it('cannot see SELECT aliases', () => {
    expect(run("SELECT temperature AS t FROM 'topic/subtopic' WHERE t = 50", colorTemp)).toBe('no match');
  });

  it('supports IN over an array and CONTAINS', () => {
    expect(value('3 IN [1, 2, 3]')).toBe(true);
    expect(value('[1, 2] CONTAINS 3')).toBe(false);
    expect(value('"fleet" CONTAINS "lee"')).toBe(true);
  });
});

describe('operators', () => {
  it.each([
    ['1 + 2', 3],
    ['"a" + "b"', 'ab'],
    // [AWS + operator] "String | Any Value: Converts the right operand to a string and concatenates it".
    ['"2" + 3', '23'],
    ['7 / 2', 3],
    ['7.0 / 2.5', 2.8],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['2 * -3', -6],
    ['10 - 2.5', 7.5],
    ['1 = 1.0', true],
    ['"a" <> "b"', true],
    ['[1, {"a": 2}] = [1, {"a": 2}]', true],
  ])('%s = %j', (expr, expected) => {
    expect(value(expr)).toEqual(expected);
  });

  it.each(['1 / 0', 'true + 1', '"x" * 2', 'missing + 1', 'NOT 5', '1 AND true'])('%s is Undefined', (expr) => {
    expect(value(`isUndefined(${expr})`)).toBe(true);
  });
});

describe('CASE', () => {
  const sql =
    "SELECT CASE color WHEN 'green' THEN 'go' WHEN 'yellow' THEN 'caution' WHEN 'red' THEN 'stop' " +
    "ELSE 'you are not at a stop light' END as instructions FROM 'topic/subtopic'";

  it('selects the first matching WHEN (documented example)', () => {
    expect(run(sql, { color: 'yellow' })).toEqual({ instructions: 'caution' });
  });

  it('falls back to ELSE, and is Undefined without a match and without ELSE or with an Undefined subject', () => {
    expect(run(sql, { color: 'blue' })).toEqual({ instructions: 'you are not at a stop light' });
    expect(run(sql, {})).toEqual({});
    expect(run("SELECT CASE n WHEN 1 THEN 'one' END AS x FROM 't'", { n: 2 }, 't')).toEqual({});
  });
});

describe('nested object queries (documented examples)', () => {
  const payload = {
    e: [
      { n: 'temperature', u: 'Cel', t: 1234, v: 22.5 },
      { n: 'light', u: 'lm', t: 1235, v: 135 },
      { n: 'acidity', u: 'pH', t: 1235, v: 7 },
    ],
  };

  it('SELECT VALUE over an array makes a new array', () => {
    expect(run("SELECT (SELECT VALUE n FROM e) as sensors FROM 'my/topic'", payload, 'my/topic')).toEqual({
      sensors: ['temperature', 'light', 'acidity'],
    });
  });

  it('a nested WHERE filters the elements', () => {
    expect(run("SELECT (SELECT v FROM e WHERE n = 'temperature') as temperature FROM 'my/topic'", payload, 'my/topic')).toEqual({
      temperature: [{ v: 22.5 }],
    });
  });

  it('get(...) of a nested query flattens it', () => {
    expect(run("SELECT get((SELECT v FROM e WHERE n = 'temperature'), 0).v as temperature FROM 'topic'", payload, 'topic')).toEqual({
      temperature: 22.5,
    });
  });
});

describe('topic and message functions', () => {
  it('topic() and topic(n) return the topic and its 1-based levels (documented example)', () => {
    expect(run("SELECT topic() AS t, topic(1) AS first, topic(4) AS none FROM 'things/#'", {}, 'things/myThings/thingOne')).toEqual({
      t: 'things/myThings/thingOne',
      first: 'things',
    });
  });

  it('topic() leaves out the Basic Ingest prefix (documented example)', () => {
    const topic = '$aws/rules/BuildingManager/Buildings/Building5/Floor2/Room201/Lights';
    expect(run("SELECT topic() AS t, topic(3) AS floor FROM '$aws/rules/BuildingManager/#'", {}, topic)).toEqual({
      t: 'Buildings/Building5/Floor2/Room201/Lights',
      floor: 'Floor2',
    });
  });

  it('clientid(), timestamp(), principal() and traceid() come from the message', () => {
    const out = run("SELECT clientid() AS c, timestamp() AS ts, principal() AS p, traceid() AS tr FROM 'a'", {}, 'a', {
      principal: 'thumbprint',
      traceId: 'trace-1',
    });
    expect(out).toEqual({ c: 'client-1', ts: 1_700_000_000_000, p: 'thumbprint', tr: 'trace-1' });
  });

  it('omits principal() and traceid() when the message has none', () => {
    expect(run("SELECT principal() AS p, traceid() AS tr FROM 'a'", {}, 'a')).toEqual({});
  });
});

describe('non-JSON payloads', () => {
  const binary = { topic: 'dev/1/raw', payload: new Uint8Array([0xff, 0x00, 0x10, 0x80]), clientId: 'c', timestamp: 1 };

  it('SELECT * is the raw payload', () => {
    const result = compileRule("SELECT * FROM 'dev/+/raw'").evaluate(binary);
    expect(result).toEqual({ matched: true, output: binary.payload });
  });

  it('field references are Undefined, and encode(*, "base64") encodes the raw bytes', () => {
    const result = compileRule("SELECT temperature, encode(*, 'base64') AS b64, topic(2) AS id FROM 'dev/+/raw'").evaluate(binary);
    expect(result).toEqual({ matched: true, output: { b64: '/wAQgA==', id: '1' } });
  });

  it('encode(*, "base64") of a JSON payload encodes its exact bytes', () => {
    const message = jsonMessage({ a: 1 });
    const result = compileRule("SELECT encode(*, 'base64') AS p FROM 'topic/subtopic'").evaluate(message);
    expect(result).toEqual({ matched: true, output: { p: 'eyJhIjoxfQ==' } });
  });
});

describe('FROM topic filters', () => {
  it.each([
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a/b/d', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['a/b', 'a/b/c', false],
    ['#', '$aws/events/presence/connected/x', false],
    ['$aws/events/presence/+/+', '$aws/events/presence/connected/x', true],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(compileRule(`SELECT * FROM '${filter}'`).matchesTopic(topic)).toBe(expected);
  });

  it('accepts an unquoted topic filter', () => {
    expect(compileRule('SELECT temp FROM topic/# WHERE temp > 1').topicFilter).toBe('topic/#');
  });

  it('does not evaluate a message whose topic does not match', () => {
    expect(run("SELECT * FROM 'other/topic'", colorTemp)).toBe('no match');
  });
});

describe('syntax errors', () => {
  it.each([
    ["SELECT FROM 'a'", 7],
    ["SELECT a FROM 'a' WHERE", 23],
    ["SELECT a b FROM 'a'", 9],
    ["SELECT 'abc FROM 'a'", 19],
    ["SELECT a FROM 'a/#/b'", 15],
    ["SELECT no_such_function(a) FROM 'a'", 7],
    ["SELECT md5(a, b) FROM 'a'", 7],
  ])('%j is rejected at position %d', (sql, position) => {
    let error: unknown;
    try {
      compileRule(sql);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IotSqlError);
    expect((error as IotSqlError).position).toBe(position);
  });
});

describe('payload sharing', () => {
  it('a dotted alias into a selected object does not alter the payload seen by other rules', () => {
    const message = jsonMessage({ color: { red: 1 } });
    const first = compileRule("SELECT *, 2 AS color.green FROM 'topic/subtopic'").evaluate(message);
    const second = compileRule("SELECT * FROM 'topic/subtopic'").evaluate(message);
    expect(first).toEqual({ matched: true, output: { color: { red: 1, green: 2 } } });
    expect(second).toEqual({ matched: true, output: { color: { red: 1 } } });
  });
});
