/**
 * The SET clause (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-set.html): its documented
 * examples, its syntax rules, and the places variables can be used (SELECT, WHERE, other SET assignments,
 * nested SELECTs, function arguments, action substitution templates).
 */
import { describe, expect, it } from 'vitest';
import { compileRule } from './compile-rule.ts';
import { IotSqlError } from './iot-sql-error.ts';
import { compileTemplate } from './substitute-template.ts';
import { jsonMessage, run } from './test-helpers.ts';

describe('SET clause examples', () => {
  it('basic usage: SET @temp_celsius = (temp_fahrenheit - 32) * 5 / 9', () => {
    const sql = "SET @temp_celsius = (temp_fahrenheit - 32) * 5 / 9 SELECT @temp_celsius AS celsius, humidity FROM 'device/data'";
    // The page shows {"celsius": 23.89, ...}: a rounded figure for 215 / 9. The operators page says Int / Int is an
    // Int (its SELECT example (50 - 32) * 5 / 9 = 10 agrees), and 23.89 is no division result either, so this
    // implementation keeps the operator table: 23.
    expect(run(sql, { temp_fahrenheit: 75, humidity: 60 }, 'device/data')).toEqual({ celsius: 23, humidity: 60 });
  });

  it('the same conversion with a Decimal operand gives the Decimal the page rounds to 23.89', () => {
    // Not `/ 9.0`: version 2016-03-23 reads a whole 9.0 as the Int 9 (cast() reference), so that is Int division too.
    const sql = "SET @temp_celsius = (temp_fahrenheit - 32) / 1.8 SELECT VALUE @temp_celsius FROM 'device/data'";
    expect(run(sql, { temp_fahrenheit: 75 }, 'device/data')).toBeCloseTo(23.89, 2);
  });

  it('accessing members in embedded JSON objects: @variable.property', () => {
    const payload = {
      device1: {
        deviceId: 'weather_sensor',
        deviceData: { sensors: { temp_fahrenheit: 75, humidity: 60 }, location: [47.606, -122.332] },
      },
    };
    const sql =
      'SET @device_sensor_data = device1.deviceData.sensors ' +
      "SELECT @device_sensor_data.temp_fahrenheit AS temp_fahrenheit, @device_sensor_data.humidity as humidity FROM 'device/data'";
    expect(run(sql, payload, 'device/data')).toEqual({ temp_fahrenheit: 75, humidity: 60 });
  });
});

describe('using variables', () => {
  it('in WHERE, which sees the SET clause (SET runs first)', () => {
    const sql = "SET @hot = temperature > 30 SELECT temperature FROM 'a' WHERE @hot";
    expect(run(sql, { temperature: 35 }, 'a')).toEqual({ temperature: 35 });
    expect(run(sql, { temperature: 20 }, 'a')).toBe('no match');
  });

  it('in later SET assignments, function arguments and nested SELECTs', () => {
    const sql =
      "SET @limit = 10, @double = @limit * 2, @name = upper(prefix) SELECT concat(@name, '-', @double) AS label, " +
      "(SELECT VALUE v FROM readings WHERE v > @limit) AS high FROM 'a'";
    expect(run(sql, { prefix: 'dev', readings: [{ v: 5 }, { v: 15 }, { v: 25 }] }, 'a')).toEqual({ label: 'DEV-20', high: [15, 25] });
  });

  it('keeps an Undefined variable Undefined (the key is omitted)', () => {
    expect(run("SET @m = missing SELECT @m AS m, 1 AS one FROM 'a'", {}, 'a')).toEqual({ one: 1 });
  });

  it('hands the variables to the action templates: ${@name} renders them', () => {
    const rule = compileRule("SET @device = topic(2), @celsius = (f - 32) / 1.8 SELECT * FROM 'devices/+/data'");
    const message = jsonMessage({ f: 212 }, 'devices/sensor-7/data');
    const result = rule.evaluate(message);
    expect(result).toEqual({ matched: true, output: { f: 212 }, variables: { device: 'sensor-7', celsius: 100 } });
    const variables = result.matched ? result.variables : undefined;
    const template = compileTemplate('alerts/${@device}/${@celsius}');
    expect(template.render(message, variables === undefined ? {} : { variables })).toBe('alerts/sensor-7/100');
  });

  it('a template without the variables renders an unknown variable as an empty string (Undefined)', () => {
    expect(compileTemplate('x/${@nope}').render(jsonMessage({}))).toBe('x/');
  });
});

describe('SET clause syntax rules', () => {
  const rejects = (sql: string, reason: RegExp, position: number) => {
    let error: unknown;
    try {
      compileRule(sql);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IotSqlError);
    expect((error as IotSqlError).reason).toMatch(reason);
    expect((error as IotSqlError).position).toBe(position);
  };

  it('each variable can only be assigned once (variables are immutable)', () => {
    rejects("SET @a = 1, @a = 2 SELECT @a FROM 'a'", /already assigned/, 12);
  });

  it('the SET keyword can only be used once, and before SELECT', () => {
    rejects("SET @a = 1 SET @b = 2 SELECT @a FROM 'a'", /mismatched input 'SET' expecting SELECT/, 11);
    rejects("SELECT 1 FROM 'a' SET @a = 1", /mismatched input 'SET' expecting <EOF>/, 18);
  });

  it('variable names start with @, contain letters, digits and underscores, up to 64 characters', () => {
    expect(run(`SET @${'v'.repeat(64)} = 1, @a_1 = 2 SELECT VALUE @a_1 FROM 'a'`, {}, 'a')).toBe(2);
    rejects(`SET @${'v'.repeat(65)} = 1 SELECT 1 FROM 'a'`, /longer than 64/, 4);
    rejects("SET a = 1 SELECT 1 FROM 'a'", /mismatched input 'a' expecting a variable/, 4);
  });

  it('SET is a keyword only at the start: a payload field may be called set', () => {
    expect(run("SET @s = set SELECT @s AS s, set FROM 'a'", { set: 1 }, 'a')).toEqual({ s: 1, set: 1 });
  });

  it('a variable must be assigned before it is used', () => {
    rejects("SELECT @nope FROM 'a'", /Undefined variable: @nope/, 7);
    rejects("SET @a = @b, @b = 1 SELECT @a FROM 'a'", /Undefined variable: @b/, 9);
  });
});
