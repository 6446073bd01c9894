/**
 * Documented examples of the SELECT clause (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-select.html),
 * the WHERE clause (iot-sql-where.html), binary payloads (binary-payloads.html), literals (iot-sql-literals.html),
 * case statements (iot-sql-case.html), JSON extensions (iot-sql-json.html) and substitution templates
 * (iot-substitution-templates.html), each with its documented input and output.
 */
import { describe, expect, it } from 'vitest';
import { compileRule } from './compile-rule.ts';
import { substituteTemplate } from './substitute-template.ts';
import { jsonMessage, run } from './test-helpers.ts';

const colorTemp = { color: 'red', temperature: 50 };

describe('SELECT clause', () => {
  it.each([
    ["SELECT * FROM 'a/b'", { color: 'red', temperature: 50 }],
    ["SELECT color FROM 'a/b'", { color: 'red' }],
    ["SELECT color AS my_color FROM 'a/b'", { my_color: 'red' }],
    ["SELECT color as my_color, temperature as fahrenheit FROM 'a/b'", { my_color: 'red', fahrenheit: 50 }],
    ["SELECT *, 15 as speed FROM 'a/b'", { color: 'red', temperature: 50, speed: 15 }],
    ["SELECT VALUE color FROM 'a/b'", 'red'],
    // The page writes "(temperature – 32)" with an en dash, a typesetting slip for the minus sign.
    ["SELECT (temperature - 32) * 5 / 9 AS celsius, upper(color) as my_color FROM 'a/b'", { celsius: 10, my_color: 'RED' }],
  ])('%s', (sql, expected) => {
    expect(run(sql, colorTemp, 'a/b')).toEqual(expected);
  });

  it("drills into nested objects with '.'", () => {
    const payload = { color: { red: 255, green: 0, blue: 0 }, temperature: 50 };
    expect(run("SELECT color.red as red_value FROM 'a/b'", payload, 'a/b')).toEqual({ red_value: 255 });
  });
});

describe('WHERE clause', () => {
  it('a WHERE that is not true means no outgoing payload', () => {
    const sql = "SELECT color AS my_color FROM 'a/b' WHERE temperature > 50 AND color <> 'red'";
    expect(run(sql, { color: 'red', temperature: 40 }, 'a/b')).toBe('no match');
  });

  it('the reference page example: SELECT color AS rgb ... WHERE temperature > 50', () => {
    expect(run("SELECT color AS rgb FROM 'topic/subtopic' WHERE temperature > 50", { color: 'red', temperature: 100 })).toEqual({
      rgb: 'red',
    });
  });

  it('cannot see SELECT aliases: WHERE is evaluated first', () => {
    expect(run("SELECT temperature AS t FROM 'a/b' WHERE t > 1", colorTemp, 'a/b')).toBe('no match');
  });
});

describe('binary payloads', () => {
  const binary = { topic: 'a/b', payload: new Uint8Array([0xff, 0x00, 0x10]), clientId: 'c', timestamp: 48 };

  it('SELECT * of a binary payload is the raw bytes', () => {
    expect(compileRule("SELECT * FROM 'a/b'").evaluate(binary)).toEqual({ matched: true, output: binary.payload });
  });

  it("SELECT encode(*, 'base64') AS data, timestamp() AS ts", () => {
    expect(compileRule("SELECT encode(*, 'base64') AS data, timestamp() AS ts FROM 'a/b'").evaluate(binary)).toEqual({
      matched: true,
      output: { data: '/wAQ', ts: 48 },
    });
  });

  it("SELECT * FROM 'a/b' WHERE timestamp() % 12 = 0 works with binary payloads", () => {
    expect(compileRule("SELECT * FROM 'a/b' WHERE timestamp() % 12 = 0").evaluate(binary)).toEqual({
      matched: true,
      output: binary.payload,
    });
  });

  it("WHERE device_type = 'thermostat' cannot work with a binary payload: the name is Undefined, the rule does not fire", () => {
    expect(compileRule("SELECT * FROM 'a/b' WHERE device_type = 'thermostat'").evaluate(binary)).toEqual({ matched: false });
  });
});

describe('literals', () => {
  it('an object literal', () => {
    const sql = "SELECT {'latitude': get(lat_long, 0),'longitude':get(lat_long, 1)} as lat_long FROM 'topic/subtopic'";
    expect(run(sql, { lat_long: [47.606, -122.332] })).toEqual({ lat_long: { latitude: 47.606, longitude: -122.332 } });
  });

  it('an array literal (the page shows latitude 47.606 for a payload of 47.696: a typo, the value is passed through)', () => {
    expect(run("SELECT [lat,long] as lat_long FROM 'topic/subtopic'", { lat: 47.696, long: -122.332 })).toEqual({
      lat_long: [47.696, -122.332],
    });
  });

  it('literals in WHERE', () => {
    expect(run("SELECT VALUE 1 FROM 'topic/subtopic' WHERE [a, b] = [1, 2] AND {'k': a} = {'k': 1}", { a: 1, b: 2 })).toBe(1);
  });
});

describe('case statements', () => {
  const sql =
    "SELECT CASE color WHEN 'green' THEN 'go' WHEN 'yellow' THEN 'caution' WHEN 'red' THEN 'stop' " +
    "ELSE 'you are not at a stop light' END as instructions FROM 'a/b'";

  it('the documented example: {"color":"yellow"} gives {"instructions":"caution"}', () => {
    expect(run(sql, { color: 'yellow' }, 'a/b')).toEqual({ instructions: 'caution' });
  });

  it('ELSE when nothing matches; Undefined without ELSE; Undefined when v is Undefined', () => {
    expect(run(sql, { color: 'blue' }, 'a/b')).toEqual({ instructions: 'you are not at a stop light' });
    expect(run("SELECT CASE color WHEN 'red' THEN 'stop' END AS i FROM 'a/b'", { color: 'blue' }, 'a/b')).toEqual({});
    expect(run(sql, {}, 'a/b')).toEqual({});
  });

  it('the first match wins', () => {
    expect(run("SELECT CASE 1 WHEN 1 THEN 'first' WHEN 1 THEN 'second' END AS i FROM 'a/b'", {}, 'a/b')).toEqual({ i: 'first' });
  });

  it('a searched CASE (CASE WHEN condition THEN ...) takes the first true condition', () => {
    const searched = "SELECT CASE WHEN temperature > 80 THEN 'hot' WHEN temperature > 40 THEN 'warm' ELSE 'cold' END AS feel FROM 'a/b'";
    expect(run(searched, { temperature: 50 }, 'a/b')).toEqual({ feel: 'warm' });
    expect(run(searched, { temperature: 90 }, 'a/b')).toEqual({ feel: 'hot' });
    expect(run(searched, {}, 'a/b')).toEqual({ feel: 'cold' });
  });

  it('requires at least one WHEN', () => {
    expect(() => compileRule("SELECT CASE color ELSE 1 END FROM 'a/b'")).toThrow(/expecting WHEN/);
  });
});

describe('JSON extensions', () => {
  it('"." accesses members and AS a.b nests the output: SELECT foo.bar AS bar.baz', () => {
    expect(run("SELECT foo.bar AS bar.baz FROM 'a/b'", { foo: { bar: 'x' } }, 'a/b')).toEqual({ bar: { baz: 'x' } });
  });

  it('[] indexes arrays and objects; out of range is Undefined', () => {
    const payload = { a: [{ b: 'first' }, { b: 'second' }], o: { 'key with space': 1 } };
    expect(run("SELECT a[1].b AS x, o['key with space'] AS y, a[5] AS z FROM 'a/b'", payload, 'a/b')).toEqual({ x: 'second', y: 1 });
  });

  it('* is the whole payload', () => {
    expect(run("SELECT * FROM 'a/b'", { deviceid: 'iot123' }, 'a/b')).toEqual({ deviceid: 'iot123' });
  });
});

describe('substitution templates', () => {
  const payload = { deviceid: 'iot123', temp: 54.98, humidity: 32.43, coords: { latitude: 47.615694, longitude: -122.3359976 } };
  const message = jsonMessage(payload, 'my/iot/topic', { timestamp: 1579637878451 });

  it('${topic()}/republish and the rule output of SELECT *, timestamp() AS timestamp', () => {
    expect(substituteTemplate('${topic()}/republish', message)).toBe('my/iot/topic/republish');
    expect(compileRule("SELECT *, timestamp() AS timestamp FROM 'my/iot/topic'").evaluate(message)).toEqual({
      matched: true,
      output: { ...payload, timestamp: 1579637878451 },
    });
  });

  it('${parse_time("yyyy", timestamp(), "UTC")} as an S3 key', () => {
    expect(substituteTemplate('${parse_time("yyyy", timestamp(), "UTC")}', message)).toBe('2020');
  });

  it('cannot see SELECT aliases, only the payload, functions and operators; Undefined renders as an empty string', () => {
    expect(substituteTemplate('device/${deviceid}/${temp * 2}/${timestamp}', message)).toBe('device/iot123/109.96/');
  });
});
