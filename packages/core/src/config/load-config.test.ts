import { describe, expect, it } from 'vitest';
import { defaulted, integer, matching, oneOf, optional, text, url, written } from './config-variables.ts';
import { describeConfigProblems, loadConfig } from './load-config.ts';

const schema = {
  table: written('TABLE', text, (refs) => refs.devicesTable, 'a table'),
  port: written('PORT', integer(0, 65_535), (_refs, service) => String(service.port), 'a port'),
  level: defaulted('LEVEL', oneOf(['info', 'debug']), 'info', 'a level'),
  receivers: defaulted('RECEIVERS', integer(1, 32), 4, 'tuning'),
  endpoint: optional('ENDPOINT', url(['http', 'https']), 'an override'),
  base: optional('BASE', url(['http'], { trimTrailingSlash: true }), 'a base URL'),
  pool: optional('POOL', matching(/^[a-z]+_\d+$/, 'abc_1'), 'an id'),
} as const;

describe('loadConfig', () => {
  it('reads typed values, applies defaults and leaves unset optional variables out', () => {
    expect(loadConfig(schema, { TABLE: ' devices ', PORT: '3003', BASE: 'http://lb3:80//' })).toEqual({
      ok: true,
      config: { table: 'devices', port: 3003, level: 'info', receivers: 4, base: 'http://lb3:80' },
    });
  });

  it('treats a blank value as unset: the default applies, a required variable is missing', () => {
    const result = loadConfig(schema, { TABLE: '  ', PORT: '1', RECEIVERS: '' });
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          variable: 'TABLE',
          received: '  ',
          expected: 'a non-empty string',
          message: 'TABLE: received "  ", expected a non-empty string (required: the platform sets it, see serviceEnvironment())',
        },
      ],
    });
  });

  it('reports every problem at once, naming the variable, what it received and what it expected', () => {
    const result = loadConfig(schema, {
      PORT: '80.5',
      LEVEL: 'loud',
      RECEIVERS: '0',
      ENDPOINT: 'ftp://x',
      BASE: 'not a url',
      POOL: 'ABC',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.message)).toEqual([
      'TABLE: received nothing (not set), expected a non-empty string (required: the platform sets it, see serviceEnvironment())',
      'PORT: received "80.5", expected an integer from 0 to 65535',
      'LEVEL: received "loud", expected one of info, debug',
      'RECEIVERS: received "0", expected an integer from 1 to 32',
      'ENDPOINT: received "ftp://x", expected an absolute http or https URL',
      'BASE: received "not a url", expected an absolute http URL',
      'POOL: received "ABC", expected text like "abc_1"',
    ]);
    expect(describeConfigProblems(result.problems).split('\n')).toHaveLength(7);
  });

  it('accepts integers only within bounds, written in decimal', () => {
    const port = (PORT: string) => loadConfig(schema, { TABLE: 't', PORT });
    expect(port('65535')).toMatchObject({ ok: true, config: { port: 65_535 } });
    for (const bad of ['65536', '-1', '1e3', '0x10', '3.0', 'eighty']) expect(port(bad).ok).toBe(false);
  });
});
