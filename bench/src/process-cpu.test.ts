import { describe, expect, it } from 'vitest';
import { cpuBetween, parseCpuMs, sampleTreeCpu } from './process-cpu.ts';

describe('process tree CPU', () => {
  it('reads utime + stime (fields 14 and 15) in ms, after the command name whatever it holds', () => {
    const rest = 'S 1 77 77 0 -1 4194304 124 0 0 0 250 31 0 0 20 0 1 0 2008170';
    expect(parseCpuMs(`77 (node) ${rest}`)).toBe((250 + 31) * 10);
    expect(parseCpuMs(`77 (a (b) c) ${rest}`)).toBe((250 + 31) * 10);
    expect(parseCpuMs('77 (node) S 1')).toBeUndefined();
  });

  it('sums what each process used between two samples by label, leaving out processes seen once', () => {
    const before = [
      { pid: 1, label: 'launcher', cpuMs: 1_000 },
      { pid: 2, label: 'api service', cpuMs: 500 },
      { pid: 3, label: 'gone', cpuMs: 40 },
    ];
    const after = [
      { pid: 1, label: 'launcher', cpuMs: 1_250 },
      { pid: 2, label: 'api service', cpuMs: 900 },
      { pid: 4, label: 'new', cpuMs: 10 },
    ];
    expect(cpuBetween(before, after)).toEqual({ launcher: 250, 'api service': 400 });
  });

  it('samples this process (a tree of one) from /proc, its CPU growing with work', async () => {
    const first = await sampleTreeCpu(process.pid);
    const until = process.cpuUsage().user + 60_000;
    while (process.cpuUsage().user < until) Math.sqrt(Math.random());
    const used = cpuBetween(first, await sampleTreeCpu(process.pid));
    expect(Object.values(used).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
