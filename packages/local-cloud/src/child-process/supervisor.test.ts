/**
 * The supervisor of every child process: a child that dies is replaced on the same port after a
 * backoff, each exit is logged with its code or signal and counted, a crash loop backs off, a
 * taken port moves the child to a new one, and `stop()` ends supervision.
 */
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { waitFor } from './wait-for.ts';
import { startSupervisedChild, type ChildStatus, type SupervisedChild, type SupervisorOptions } from './supervisor.ts';

const script = fileURLToPath(new URL('../testing/http-child.mjs', import.meta.url));
const fast = { initialMs: 50, maxMs: 400, stableAfterMs: 60_000 };
const running: SupervisedChild[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A supervised fixture child, with every state change and log line it produced. */
async function supervise(options: Partial<SupervisorOptions> & { extraArgs?: string[] } = {}) {
  const changes: (ChildStatus & { at: number })[] = [];
  const logLines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) });
  const child = await startSupervisedChild({
    name: 'fixture',
    script,
    args: ({ port }) => [String(port ?? 0), ...(options.extraArgs ?? [])],
    backoff: fast,
    log,
    onStateChange: (status) => changes.push({ ...status, at: Date.now() }),
    ...options,
  });
  running.push(child);
  return { child, changes, logLines };
}

const pidAt = async (port: number) => Number(await (await fetch(`http://127.0.0.1:${port}/`)).text());

it('replaces a child killed with SIGKILL on the same port, and logs and counts the restart', async () => {
  const { child, changes, logLines } = await supervise();
  const first = child.status();
  expect(first).toMatchObject({ state: 'up', restarts: 0 });
  const port = child.port() ?? 0;
  expect(await pidAt(port)).toBe(first.pid);

  process.kill(first.pid ?? -1, 'SIGKILL');
  await waitFor('the replacement', () => child.status().restarts === 1 && child.status().state === 'up');

  const second = child.status();
  expect(second.pid).not.toBe(first.pid);
  expect(child.port()).toBe(port);
  expect(await pidAt(port)).toBe(second.pid);
  expect(second.lastExit).toMatchObject({ code: null, signal: 'SIGKILL' });
  expect(changes.map((c) => c.state)).toEqual(['up', 'down', 'starting', 'up']);
  expect(logLines).toContainEqual(
    expect.objectContaining({ child: 'fixture', signal: 'SIGKILL', restartInMs: 50, msg: 'fixture is down; restarting it' }),
  );
  expect(logLines).toContainEqual(expect.objectContaining({ restarts: 1, msg: 'fixture is up again (restart 1)' }));
});

it('reports no port while the child is down, so forwarders answer "unavailable" at once', async () => {
  const { child } = await supervise({ backoff: { ...fast, initialMs: 300 } });
  process.kill(child.status().pid ?? -1, 'SIGKILL');
  await waitFor('down', () => child.status().state === 'down');
  expect(child.port()).toBeUndefined();
  await waitFor('up again', () => child.status().state === 'up');
  expect(child.port()).toBe(child.status().port);
});

it('backs off exponentially while the child keeps dying, up to the cap', async () => {
  const { child, changes } = await supervise({ extraArgs: ['--exit-after-ms', '10'] });
  await waitFor('five restarts', () => child.status().restarts >= 5, 20_000);
  await child.stop();
  const delays: number[] = [];
  for (let i = 0; i < changes.length; i++) {
    const down = changes[i];
    const next = changes[i + 1];
    if (down?.state === 'down' && next?.state === 'starting') delays.push(next.at - down.at);
  }
  // 50, 100, 200, 400, 400 ms: each at least the backoff step (timers never fire early).
  expect(delays.length).toBeGreaterThanOrEqual(5);
  [50, 100, 200, 400, 400].forEach((step, i) => expect(delays[i]).toBeGreaterThanOrEqual(step - 5));
  expect(child.status().lastExit).toMatchObject({ code: 3 });
});

it('moves to a new port when the old one was taken while the child was down', async () => {
  const { child } = await supervise({ backoff: { ...fast, initialMs: 200 } });
  const port = child.port() ?? 0;
  process.kill(child.status().pid ?? -1, 'SIGKILL');
  await waitFor('down', () => child.status().state === 'down');
  const squatter = createServer();
  servers.push(squatter);
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));

  await waitFor('up on another port', () => child.status().state === 'up' && child.port() !== port);
  const moved = child.port() ?? 0;
  expect(await pidAt(moved)).toBe(child.status().pid);
  expect(child.status().restarts).toBe(2);
});

it('restarts a child that left because of its memory cap', async () => {
  const { child } = await supervise({ extraArgs: ['--max-rss-mb', '1', '--rss-check-ms', '50'] });
  await waitFor('a restart', () => child.status().restarts >= 1);
  expect(child.status().lastExit).toMatchObject({ code: 75, signal: null });
});

it('stops supervising on stop(): the child ends and is not replaced', async () => {
  const { child } = await supervise();
  const pid = child.status().pid ?? -1;
  await child.stop();
  expect(child.status().state).toBe('stopped');
  expect(() => process.kill(pid, 0)).toThrow();
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(child.status()).toMatchObject({ state: 'stopped', restarts: 0 });
});

it('rejects with the child stderr when the first start fails, instead of looping', async () => {
  await expect(
    startSupervisedChild({ name: 'fixture', script, args: () => ['not-a-port'], backoff: fast, log: pino({ level: 'silent' }) }),
  ).rejects.toThrow(/fixture exited .* before it was ready/);
});
