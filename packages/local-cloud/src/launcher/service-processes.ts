/**
 * Runs the three ECS services as child processes with exactly the environment their task
 * definitions get (plus the endpoint and credentials the SDK reads, which a task gets from its
 * role), and replaces a task that exits, as an ECS service does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import type { ServiceDefinition, ServiceEnvironment } from '@fleet/core';

const exitWithLauncher = new URL('./exit-with-launcher.mjs', import.meta.url).href;

export interface ServiceProcessOptions {
  readonly service: ServiceDefinition;
  readonly repoRoot: string;
  readonly environment: ServiceEnvironment;
  readonly logDir: string;
  readonly log: Logger;
  /** Every stdout line; the launcher feeds Embedded Metric Format lines to CloudWatch. */
  readonly onLine?: (line: string) => void;
}

export interface ServiceProcess {
  readonly name: string;
  pid(): number | undefined;
  restarts(): number;
  stop(): Promise<void>;
}

/** Only what a container would have: no developer shell variables leak into a service. */
function baseEnvironment(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NODE_OPTIONS'];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
}

export function startServiceProcess(options: ServiceProcessOptions): ServiceProcess {
  const { service, log } = options;
  mkdirSync(options.logDir, { recursive: true });
  const logFile: WriteStream = createWriteStream(join(options.logDir, `${service.name}.log`), { flags: 'a' });
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let startedAt = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const start = () => {
    startedAt = Date.now();
    child = spawn(process.execPath, ['--import', 'tsx', '--import', exitWithLauncher, join(service.folder, 'src', 'main.ts')], {
      cwd: options.repoRoot,
      env: { ...baseEnvironment(), ...options.environment },
      // stdin stays open and unwritten: its end tells the service the launcher died (exit-with-launcher.mjs).
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const current = child;
    for (const stream of [current.stdout, current.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        logFile.write(`${line}\n`);
        options.onLine?.(line);
        if (stream === current.stderr || /"level":(50|60)/.test(line)) log.warn({ service: service.name }, line);
      });
    }
    current.on('exit', (code, signal) => {
      if (stopping) return;
      // Back off like ECS does for a crash-looping task, but come back fast after a one-off kill.
      const delay = Date.now() - startedAt > 30_000 ? 500 : Math.min(30_000, 500 * 2 ** Math.min(restarts, 6));
      restarts += 1;
      log.warn({ service: service.name, code, signal, restartInMs: delay }, 'service task exited; starting a replacement');
      restartTimer = setTimeout(start, delay);
    });
  };
  start();

  return {
    name: service.name,
    pid: () => child?.pid,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const current = child;
      if (current && current.exitCode === null && current.signalCode === null) {
        const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
        current.kill('SIGTERM');
        const timer = setTimeout(() => current.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await new Promise<void>((resolve) => logFile.end(resolve));
    },
  };
}
