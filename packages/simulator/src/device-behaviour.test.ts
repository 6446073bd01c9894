import { describe, expect, it } from 'vitest';
import { knownCommands } from '@fleet/core';
import { planCommand, settingsToReport } from './device-behaviour.ts';

describe('settingsToReport', () => {
  const knobs = { reportIntervalSeconds: 1 };
  it('applies a valid interval and reports it, and reports custom settings as they came', () => {
    expect(settingsToReport({ reportIntervalSeconds: 5, mode: { eco: true } }, knobs)).toEqual({
      reported: { reportIntervalSeconds: 5, mode: { eco: true } },
      knobs: { reportIntervalSeconds: 5 },
    });
  });
  it('keeps the interval in force, and reports it, for a value out of range or of the wrong type', () => {
    for (const bad of [0, -1, 1e9, '5', null, Number.NaN]) {
      expect(settingsToReport({ reportIntervalSeconds: bad }, knobs)).toEqual({ reported: { reportIntervalSeconds: 1 }, knobs });
    }
  });
});

describe('planCommand', () => {
  it('understands every command the platform offers (core knownCommands)', () => {
    for (const command of Object.keys(knownCommands)) {
      expect(planCommand({ command, args: { seconds: 1 } }), command).not.toMatchObject({ status: 'REJECTED' });
    }
  });
  it('knows reboot, set-interval and ping', () => {
    expect(planCommand({ command: 'reboot', args: {} })).toEqual({ kind: 'reboot' });
    expect(planCommand({ command: 'set-interval', args: { seconds: 2 } })).toEqual({ kind: 'set-interval', seconds: 2 });
    expect(planCommand({ command: 'ping', args: {} })).toMatchObject({ kind: 'finish', status: 'SUCCEEDED' });
  });
  it('fails a known command with bad arguments and rejects an unknown one, saying why', () => {
    expect(planCommand({ command: 'set-interval', args: { seconds: 'soon' } })).toMatchObject({
      status: 'FAILED',
      answer: { reason: expect.stringContaining('args.seconds') },
    });
    expect(planCommand({ command: 'self-destruct' })).toEqual({
      kind: 'finish',
      status: 'REJECTED',
      answer: { reason: 'unknown command "self-destruct"' },
    });
    expect(planCommand('not an object')).toMatchObject({ status: 'REJECTED' });
  });
});
