import { describe, expect, it } from 'vitest';
import { parseParentPid, parseVmRss, processLabel, sampleTreeMemory, treeOf } from './process-memory.ts';

describe('process tree memory', () => {
  it('reads VmRSS in bytes, and nothing for a process without it', () => {
    expect(parseVmRss('Name:\tnode\nVmPeak:\t  900 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 1 kB\n')).toBe(123456 * 1024);
    expect(parseVmRss('Name:\tkthreadd\nState:\tS (sleeping)\n')).toBeUndefined();
  });

  it('reads the parent pid after the command name, whatever it holds', () => {
    expect(parseParentPid('4242 (node) S 4200 4242 4200 0 -1')).toBe(4200);
    expect(parseParentPid('77 (a (b) c) R 1 77 77 0')).toBe(1);
  });

  it('collects a process and all its descendants, not its siblings', () => {
    const parents = new Map([
      [10, 1],
      [11, 10],
      [12, 10],
      [13, 12],
      [20, 1],
    ]);
    expect(treeOf(10, parents).sort()).toEqual([10, 11, 12, 13]);
  });

  it('names the platform processes', () => {
    const node = '/work/x/node_modules/node/bin/node';
    expect(processLabel([node, '--import', 'tsx', '/work/x/packages/local-cloud/src/main.ts', '--data-dir', '/tmp/d'])).toBe('launcher');
    expect(
      processLabel([node, '--import', 'tsx', '--import', 'file:///w/launcher/exit-with-launcher.mjs', '/w/services/data/src/main.ts']),
    ).toBe('data service');
    expect(processLabel([node, '/work/x/packages/local-cloud/src/dynamodb/dynalite-main.mjs', '/tmp/db'])).toBe('dynalite-main');
  });

  it('samples this process (a tree of one) from /proc', async () => {
    const sample = await sampleTreeMemory(process.pid);
    expect(sample.processes.map((p) => p.pid)).toContain(process.pid);
    expect(sample.totalRssBytes).toBeGreaterThan(10 * 2 ** 20);
  });
});
