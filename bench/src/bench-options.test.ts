import { describe, expect, it } from 'vitest';
import { defaultBenchOptions, parseBenchArgs } from './bench-options.ts';

describe('parseBenchArgs', () => {
  it('runs both peers with the bounded defaults when given nothing', () => {
    expect(parseBenchArgs([])).toEqual({ kind: 'run', options: defaultBenchOptions });
    expect(defaultBenchOptions).toMatchObject({
      devices: 20,
      readings: 250,
      window: 10,
      readSeconds: 10,
      liveProbes: 100,
      chartQueries: 100,
      soakSeconds: 600,
      soakRate: undefined,
      targets: ['mosquitto', 'fleet', 'broker', 'browser', 'api', 'chart'],
    });
  });

  it('reads the flags of `npm run bench -- --devices 50 --readings 500`', () => {
    const parsed = parseBenchArgs([
      '--devices',
      '50',
      '--readings',
      '500',
      '--window',
      '4',
      '--timeout',
      '60',
      '--probe-interval',
      '200',
      '--read-seconds',
      '3',
      '--data-tasks',
      '2',
      '--flush-spacing',
      '100',
      '--live-probes',
      '50',
      '--only',
      'fleet',
      '--out',
      '/tmp/x.json',
    ]);
    expect(parsed).toEqual({
      kind: 'run',
      options: {
        devices: 50,
        readings: 500,
        window: 4,
        timeoutMs: 60_000,
        probeIntervalMs: 200,
        readSeconds: 3,
        dataTasks: 2,
        flushSpacingMs: 100,
        liveProbes: 50,
        chartQueries: 100,
        soakSeconds: 600,
        soakRate: undefined,
        targets: ['fleet'],
        out: '/tmp/x.json',
      },
    });
  });

  it('makes --quick a small bounded run, and lets a flag next to it win', () => {
    expect(parseBenchArgs(['--quick'])).toEqual({
      kind: 'run',
      options: {
        ...defaultBenchOptions,
        devices: 5,
        readings: 40,
        timeoutMs: 60_000,
        readSeconds: 2,
        liveProbes: 30,
        chartQueries: 5,
        soakSeconds: 20,
        targets: ['mosquitto', 'fleet', 'broker', 'browser', 'api', 'chart', 'soak'],
      },
    });
    expect(parseBenchArgs(['--quick', '--devices', '8'])).toMatchObject({ kind: 'run', options: { devices: 8, readings: 40 } });
  });

  it('adds a soak of the default ten minutes for a bare --soak, of the given seconds otherwise, at --rate', () => {
    expect(parseBenchArgs(['--soak'])).toMatchObject({
      kind: 'run',
      options: { soakSeconds: 600, soakRate: undefined, targets: ['mosquitto', 'fleet', 'broker', 'browser', 'api', 'chart', 'soak'] },
    });
    expect(parseBenchArgs(['--soak', '--only', 'fleet'])).toMatchObject({ options: { soakSeconds: 600, targets: ['fleet', 'soak'] } });
    expect(parseBenchArgs(['--soak', '120', '--rate', '300'])).toMatchObject({ options: { soakSeconds: 120, soakRate: 300 } });
    expect(parseBenchArgs(['--only', 'soak'])).toMatchObject({ options: { soakSeconds: 600, targets: ['soak'] } });
    expect(parseBenchArgs(['--only', 'chart', '--chart-queries', '20'])).toMatchObject({
      options: { chartQueries: 20, targets: ['chart'] },
    });
  });

  it('refuses a soak shorter than one sample interval or longer than an access token lives, and a rate of nothing', () => {
    expect(parseBenchArgs(['--soak', '3601'])).toMatchObject({ kind: 'invalid' });
    expect(parseBenchArgs(['--soak', '5', '--rate', '0'])).toEqual({
      kind: 'invalid',
      errors: ['--soak must be an integer from 10 to 3000, received "5"', '--rate must be an integer from 1 to 100000, received "0"'],
    });
  });

  it('reports every invalid value at once, naming what it received', () => {
    const parsed = parseBenchArgs([
      '--devices',
      '0',
      '--readings',
      'many',
      '--only',
      'aedes',
      '--data-tasks',
      '9',
      '--flush-spacing',
      'soon',
    ]);
    expect(parsed.kind).toBe('invalid');
    if (parsed.kind !== 'invalid') return;
    expect(parsed.errors).toEqual([
      '--devices must be an integer from 1 to 1000, received "0"',
      '--readings must be an integer from 1 to 100000, received "many"',
      '--data-tasks must be an integer from 1 to 4, received "9"',
      '--flush-spacing must be an integer from 0 to 5000 (milliseconds), received "soon"',
      '--only must be one or more of mosquitto, fleet, broker, browser, api, chart, soak (comma-separated), received "aedes"',
    ]);
  });

  it("runs several targets from a comma list, in the bench's order, and refuses a list with an unknown one", () => {
    expect(parseBenchArgs(['--only', 'fleet,mosquitto'])).toMatchObject({ kind: 'run', options: { targets: ['mosquitto', 'fleet'] } });
    expect(parseBenchArgs(['--only', 'fleet, chart', '--soak', '60'])).toMatchObject({
      options: { targets: ['fleet', 'chart', 'soak'], soakSeconds: 60 },
    });
    expect(parseBenchArgs(['--only', 'fleet,aedes'])).toMatchObject({ kind: 'invalid' });
    expect(parseBenchArgs(['--only', ''])).toMatchObject({ kind: 'invalid' });
  });

  it('runs the broker alone or the browser live path on their own with --only', () => {
    expect(parseBenchArgs(['--only', 'broker'])).toMatchObject({ kind: 'run', options: { targets: ['broker'] } });
    expect(parseBenchArgs(['--only', 'browser', '--quick'])).toMatchObject({
      kind: 'run',
      options: { targets: ['browser'], liveProbes: 30 },
    });
    expect(parseBenchArgs(['--live-probes', '0'])).toMatchObject({
      kind: 'invalid',
      errors: ['--live-probes must be an integer from 1 to 10000, received "0"'],
    });
  });

  it('refuses unknown flags and non-integers instead of guessing', () => {
    expect(parseBenchArgs(['--devcies', '5']).kind).toBe('invalid');
    expect(parseBenchArgs(['--window', '2.5'])).toMatchObject({
      kind: 'invalid',
      errors: [expect.stringContaining('--window must be an integer')],
    });
    expect(parseBenchArgs(['--readings', '100001'])).toMatchObject({ kind: 'invalid' });
  });

  it('answers help', () => {
    expect(parseBenchArgs(['--help'])).toEqual({ kind: 'help' });
  });
});
