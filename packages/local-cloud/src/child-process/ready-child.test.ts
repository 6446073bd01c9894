/**
 * The child-process protocol: a stand-in child prints its port, and dies with its parent even
 * when the parent is killed with SIGKILL (it sees its stdin close).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startReadyChild } from './ready-child.ts';
import { isProcessAlive } from './process-alive.ts';
import { localNodeFlags, localProcessEnvironment } from './process-memory-settings.ts';

const readyChild = fileURLToPath(new URL('./ready-child.ts', import.meta.url));
const dynaliteMain = fileURLToPath(new URL('../dynamodb/dynalite-main.mjs', import.meta.url));
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ready-child-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

it('resolves with the port the child announced, and close() waits for its exit', async () => {
  const child = await startReadyChild({ name: 'dynalite', script: dynaliteMain, args: [join(dataDir, 'a')] });
  expect(child.port).toBeGreaterThan(0);
  const response = await fetch(`http://127.0.0.1:${child.port}/`, {
    method: 'POST',
    headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables' },
  });
  expect(response.status).toBeGreaterThanOrEqual(400); // unsigned: dynalite answers, and refuses
  await child.close();
  expect(isProcessAlive(child.process.pid ?? -1)).toBe(false);
});

it("runs the child with the local cloud's memory settings before its own flags, on top of its own environment", async () => {
  const child = await startReadyChild({
    name: 's3rver-like',
    script: dynaliteMain,
    args: [join(dataDir, 'c')],
    execArgv: ['--openssl-legacy-provider'],
    env: { ...process.env, FLEET_TEST_MARK: 'kept' },
  });
  try {
    const pid = child.process.pid ?? -1;
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    const environment = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    expect(argv.slice(1, 2 + localNodeFlags.length)).toEqual([...localNodeFlags, '--openssl-legacy-provider']);
    expect(environment).toContain('FLEET_TEST_MARK=kept');
    for (const [name, value] of Object.entries(localProcessEnvironment)) expect(environment).toContain(`${name}=${value}`);
  } finally {
    await child.close();
  }
});

it('rejects with the child stderr when the child exits before it is ready', async () => {
  await expect(startReadyChild({ name: 'dynalite', script: dynaliteMain, args: [] })).rejects.toThrow(
    /exited .* before it was ready.*usage/s,
  );
});

it('the child exits when its parent is killed with SIGKILL', async () => {
  const program = `
    const { startReadyChild } = await import(${JSON.stringify(readyChild)});
    const child = await startReadyChild({ name: 'dynalite', script: ${JSON.stringify(dynaliteMain)}, args: [${JSON.stringify(join(dataDir, 'b'))}] });
    console.log('child pid ' + child.process.pid);
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const childPid = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /child pid (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    parent.once('exit', () => reject(new Error(`parent exited early: ${out}`)));
  });
  expect(isProcessAlive(childPid)).toBe(true);
  parent.kill('SIGKILL');
  const deadline = Date.now() + 5000;
  while (isProcessAlive(childPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(isProcessAlive(childPid)).toBe(false);
});
