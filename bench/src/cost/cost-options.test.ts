import { describe, expect, it } from 'vitest';
import { defaultRetention } from '@fleet/core';
import { defaultCostOptions, parseCostOptions } from './cost-options.ts';

describe('parseCostOptions', () => {
  it('takes the defaults when no flag is given', () => {
    expect(parseCostOptions([])).toEqual({ kind: 'options', options: defaultCostOptions });
  });

  it('reads every flag, and retention levels by their short names', () => {
    const parsed = parseCostOptions([
      '--devices',
      '20',
      '--interval',
      '0.5',
      '--metrics',
      '4',
      '--users',
      '3',
      '--flush-spacing',
      '100',
      '--json',
      '--retention',
      'raw=7,1m=30,archive=90',
    ]);
    expect(parsed).toEqual({
      kind: 'options',
      options: {
        devices: 20,
        intervalSeconds: 0.5,
        metrics: 4,
        users: 3,
        flushSpacingMs: 100,
        json: true,
        retention: { ...defaultRetention, rawDays: 7, minuteDays: 30, archiveDays: 90 },
      },
    });
  });

  it('reports every bad value with what it received and what it expects', () => {
    const parsed = parseCostOptions(['--devices=-1', '--interval', '0', '--retention', 'raw=x,week=3', '--flush-spacing', 'soon']);
    expect(parsed.kind).toBe('problems');
    const problems = parsed.kind === 'problems' ? parsed.problems.join('\n') : '';
    expect(problems).toContain('--devices must be a whole number ≥ 0, received "-1"');
    expect(problems).toContain('--interval must be a number > 0, received "0"');
    expect(problems).toContain('raw must be whole days in 1..3650, received "x"');
    expect(problems).toContain('unknown level "week"');
    expect(problems).toContain('--flush-spacing must be an integer from 0 to 5000 (milliseconds), received "soon"');
  });

  it('refuses a coarser level kept shorter than a finer one', () => {
    const parsed = parseCostOptions(['--retention', 'raw=40,1m=30']);
    expect(parsed).toEqual({ kind: 'problems', problems: ['--retention: fleet: minuteDays (30) must be at least rawDays (40)'] });
  });

  it('answers help, and an unknown flag as a problem', () => {
    expect(parseCostOptions(['--help'])).toEqual({ kind: 'help' });
    expect(parseCostOptions(['--fleet', '3']).kind).toBe('problems');
  });
});
