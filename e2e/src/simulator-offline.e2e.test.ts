/**
 * The simulator's store-and-forward end to end: `npm run simulate` (its own command line, as a
 * process) publishes two devices' readings; the platform is killed (SIGKILL of the launcher) and
 * started again on the same data folder and ports ten seconds later, while the devices keep
 * producing readings into their outboxes on disk. The simulator finishes on its own once the
 * backlog is sent; its printed counts agree, and every reading (by seq) is stored exactly once with
 * the `ts` the device gave it, those of the offline period included. The `--csv` file of the devices
 * the run created is parsed and checked against the registry.
 */
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allStoredReadings, createUser } from './fleet-user.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { lastStartedStoppedAfterAll } from './kept-state.ts';
import { repoRoot, startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { simulatorArgs } from './simulator-command.ts';

const devices = ['off-0001', 'off-0002'];
const rate = 4;
const count = 240;
const offlineMs = 10_000;

describe.skipIf(deployedEndpointsFile)('simulator store-and-forward', () => {
  const stoppedAfterAll = lastStartedStoppedAfterAll();

  it('buffers readings on disk while the platform is down and stores each once with its own ts when it is back', async () => {
    const first = stoppedAfterAll(await startPlatformProcess());
    const csvFile = join(first.dataDir, 'created-devices.csv');
    const runStartedAt = Date.now();
    const simulator = startSimulator(first, ['--rate', String(rate), '--count', String(count), '--csv', csvFile]);

    // Some readings acknowledged first, then the platform dies with no warning.
    await simulator.waitFor((out) => Number(/acknowledged (\d+)/.exec(lastLine(out))?.[1] ?? 0) >= 20, 90_000);
    first.child.kill('SIGKILL');
    await new Promise<void>((resolve) =>
      first.child.exitCode !== null || first.child.signalCode !== null ? resolve() : first.child.once('exit', () => resolve()),
    );
    const killedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, offlineMs));
    const second = stoppedAfterAll(await startPlatformProcess({ dataDir: first.dataDir, ports: first.ports }));
    const backAt = Date.now();

    const { code, stdout } = await simulator.exited;
    expect(code, stdout).toBe(0);
    console.log(
      `offline ${((backAt - killedAt) / 1000).toFixed(1)} s; ${stdout
        .split('\n')
        .filter((line) => /^(\d+ of|published|every)/.test(line))
        .join('\n')}`,
    );
    const summary =
      /^published (\d+), carried over (\d+), acknowledged (\d+), buffered (\d+) \(max (\d+)\), dropped (\d+), stored (\d+)$/m.exec(stdout);
    expect(summary, stdout).not.toBeNull();
    const [published, carriedOver, acknowledged, buffered, maxBuffered, dropped, stored] = summary!.slice(1).map(Number);
    const total = devices.length * count;
    expect({ published, carriedOver, acknowledged, buffered, dropped, stored }).toEqual({
      published: total,
      carriedOver: 0,
      acknowledged: total,
      buffered: 0,
      dropped: 0,
      stored: total,
    });
    // Ten seconds and more offline at 4 readings a second a device were buffered at once.
    expect(maxBuffered).toBeGreaterThanOrEqual(devices.length * rate * (offlineMs / 1000) * 0.8);
    expect(stdout).toContain(`every reading accounted for: published + carried over = acknowledged + buffered + dropped = ${total}`);
    expect(stdout).toContain(`every acknowledged reading is stored: stored = acknowledged = ${total}`);

    const operator = await createUser(second);
    for (const deviceId of devices) {
      const readings = await allStoredReadings(operator, deviceId, runStartedAt, Date.now());
      // Every seq once.
      expect(readings.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      // Device time, not arrival time: in seq order the ts climb by about 1/rate s (a busy machine
      // may stall a timer, never for seconds), through the
      // offline period too, which holds readings although nothing could arrive then.
      const bySeq = [...readings].sort((a, b) => a.seq - b.seq);
      const gaps = bySeq.slice(1).map((r, i) => r.ts - bySeq[i]!.ts);
      expect(Math.min(...gaps)).toBeGreaterThan(0);
      expect(Math.max(...gaps)).toBeLessThan(2000);
      const offline = bySeq.filter((r) => r.ts > killedAt && r.ts < backAt);
      expect(offline.length).toBeGreaterThanOrEqual(rate * (offlineMs / 1000) * 0.8);
    }

    // The CSV of the devices the run created, as a spreadsheet would read it.
    const [header, ...rows] = parseCsv(await readFile(csvFile, 'utf8'));
    expect(header).toEqual(['deviceId', 'name', 'certificateArn', 'certificateId', 'certificateFile', 'privateKeyFile', 'createdAt']);
    expect(rows.map((r) => r[0])).toEqual(devices);
    for (const [deviceId, name, certificateArn, certificateId, certificateFile, privateKeyFile, createdAt] of rows) {
      expect(await operator.api.getDevice(deviceId!)).toMatchObject({ deviceId, name, certificateArn, certificateId, createdAt });
      expect(await readFile(certificateFile!, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect((await stat(privateKeyFile!)).mode & 0o777).toBe(0o600);
    }
  }, 300_000);
});

/** The simulator as `npm run simulate` runs it, as a process of its own; its output so far and its end. */
function startSimulator(platform: PlatformProcess, args: readonly string[]) {
  const child = spawn(
    process.execPath,
    simulatorArgs(platform, ['--devices', String(devices.length), '--prefix', 'off', '--no-control', ...args]),
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<{ code: number | null; stdout: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout })));
  return {
    exited,
    async waitFor(condition: (out: string) => boolean, timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      while (!condition(stdout)) {
        if (child.exitCode !== null) throw new Error(`the simulator exited with ${child.exitCode}:\n${stdout}`);
        if (Date.now() > deadline) throw new Error(`the simulator did not get there in ${timeoutMs} ms:\n${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
}

/** The last progress line (they are rewritten in place with `\r`). */
const lastLine = (out: string) =>
  out
    .split(/[\r\n]/)
    .filter(Boolean)
    .at(-1) ?? '';

/** RFC 4180: CRLF rows, quoted fields with doubled quotes inside. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}
