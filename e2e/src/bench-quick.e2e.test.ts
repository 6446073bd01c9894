/**
 * `npm run bench -- --quick` still runs end to end: Mosquitto and the whole platform measured in one
 * run, every reading acknowledged and stored, the authenticated API read and bare Fastify measured,
 * the table printed and the JSON written. Nothing here
 * judges speed (the bench's figures are for the bench, not for a test).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { repoRoot } from './platform-process.ts';

const mosquittoInstalled = existsSync('/usr/sbin/mosquitto');

describe.skipIf(deployedEndpointsFile || !mosquittoInstalled)('npm run bench -- --quick', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('measures both peers, stores every reading and writes the figures', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-bench-quick-'));
    const out = join(dir, 'bench.json');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/src/main.ts', '--quick', '--out', out], {
      cwd: repoRoot,
      timeout: 150_000,
    });
    expect(stdout).toContain('Fleet end-to-end stored readings');
    expect(stdout).toContain('Ratio Fleet end-to-end / Mosquitto');
    expect(stdout).toContain('Ratio API read / bare Fastify');

    const report = JSON.parse(await readFile(out, 'utf8')) as {
      options: { devices: number; readings: number };
      mosquitto: { ok: boolean; result?: { received: number; expected: number } };
      fleet: {
        ok: boolean;
        result?: { load: { acknowledged: number; failed: number }; stored: number; expected: number; complete: boolean };
      };
      apiRead: { ok: boolean; result?: Record<'api' | 'fastify', { requests: number; non2xx: number; errors: number }> };
      figures: { fleetEndToEndComplete: boolean; fleetToMosquittoRatio: number; apiToFastifyRatio: number };
    };
    expect(report.options).toMatchObject({ devices: 5, readings: 40 });
    expect(report.mosquitto.ok).toBe(true);
    expect(report.mosquitto.result?.received).toBe(report.mosquitto.result?.expected);
    expect(report.fleet.ok).toBe(true);
    expect(report.fleet.result).toMatchObject({ expected: 200, stored: 200, complete: true, load: { acknowledged: 200, failed: 0 } });
    expect(report.figures.fleetEndToEndComplete).toBe(true);
    expect(report.figures.fleetToMosquittoRatio).toBeGreaterThan(0);
    // The authenticated read answered 2xx every time (a 401 or 429 storm would not be a read rate).
    expect(report.apiRead.ok).toBe(true);
    for (const peer of ['api', 'fastify'] as const) {
      expect(report.apiRead.result?.[peer]).toMatchObject({ non2xx: 0, errors: 0 });
      expect(report.apiRead.result?.[peer].requests).toBeGreaterThan(0);
    }
    expect(report.figures.apiToFastifyRatio).toBeGreaterThan(0);
  }, 180_000);
});
