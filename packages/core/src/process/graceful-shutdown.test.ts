import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exitGracefullyOnSignal, type ShutdownLog } from './graceful-shutdown.ts';

function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  return { emitter, exits, process: { on: emitter.on.bind(emitter), exit: (code: number) => void exits.push(code) } };
}

const lines: string[] = [];
const log: ShutdownLog = { info: (_d, message) => void lines.push(message), error: (_d, message) => void lines.push(`ERROR ${message}`) };

beforeEach(() => {
  vi.useFakeTimers();
  lines.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('exitGracefullyOnSignal', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s drains once, then exits 0', async (signal) => {
    const fake = fakeProcess();
    const drain = vi.fn(async () => {});
    exitGracefullyOnSignal({ log, drain, timeoutMs: 10_000, process: fake.process });
    fake.emitter.emit(signal);
    fake.emitter.emit(signal);
    await vi.advanceTimersByTimeAsync(0);
    expect(drain).toHaveBeenCalledTimes(1);
    expect(fake.exits).toEqual([0]);
    expect(lines).toEqual(['shutting down: finishing in-flight work', 'already shutting down', 'stopped']);
  });

  it('exits 1 when the drain fails', async () => {
    const fake = fakeProcess();
    exitGracefullyOnSignal({ log, drain: () => Promise.reject(new Error('close failed')), timeoutMs: 10_000, process: fake.process });
    fake.emitter.emit('SIGTERM');
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.exits).toEqual([1]);
    expect(lines).toContain('ERROR shutdown failed');
  });

  it('exits 1 once the timeout passes while the drain hangs, not before', async () => {
    const fake = fakeProcess();
    exitGracefullyOnSignal({ log, drain: () => new Promise(() => {}), timeoutMs: 25_000, process: fake.process });
    fake.emitter.emit('SIGTERM');
    await vi.advanceTimersByTimeAsync(24_999);
    expect(fake.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.exits).toEqual([1]);
    expect(lines).toContain('ERROR shutdown did not finish in time; exiting');
  });

  it('does nothing before a signal, and listens to the signals it is given', async () => {
    const fake = fakeProcess();
    const drain = vi.fn(async () => {});
    exitGracefullyOnSignal({ log, drain, timeoutMs: 1_000, signals: ['SIGHUP'], process: fake.process });
    fake.emitter.emit('SIGTERM');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(drain).not.toHaveBeenCalled();
    fake.emitter.emit('SIGHUP');
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.exits).toEqual([0]);
  });
});
