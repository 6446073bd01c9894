/**
 * Starts one Node child process — a stand-in (dynalite, s3rver) or a service task — and resolves
 * once it is ready: a stand-in prints "ready on port N"; a service is ready once spawned (its
 * health is what the gateway checks). A separate process keeps a library off the local cloud's
 * event loop (NOTES.md: dynalite batch writes ≈ 5k/s out of process vs ≈ 3.4k in process) and lets
 * it die on its own terms (SIGKILL leaves its disk data intact). `supervisor.ts` restarts it.
 *
 * The child must exit when its stdin closes (`exitWithParent` in `child-entry.mjs`, or
 * `launcher/exit-with-launcher.mjs` for services): the parent keeps the pipe open and never writes,
 * so when the parent dies — even by SIGKILL — the child follows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { localNodeFlags, localProcessEnvironment } from './process-memory-settings.ts';

export interface ReadyChildOptions {
  /** Human name for logs and errors (`dynalite`, `s3rver`, `api`). */
  readonly name: string;
  /** Absolute path of the entry script. */
  readonly script: string;
  readonly args?: readonly string[];
  /** Node flags placed before the script (e.g. `--openssl-legacy-provider`, `--import tsx`). */
  readonly execArgv?: readonly string[];
  /** @default the launcher's own environment, inherited; `localProcessEnvironment` is added to one given here */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly log?: Logger;
  /** Wait for "ready on port N" (a stand-in). When false, ready means spawned. @default true */
  readonly announcesPort?: boolean;
  /** How long to wait for the ready line. @default 15000 */
  readonly readyTimeoutMs?: number;
  /**
   * Every output line after the ready line. @default stderr lines are logged as warnings,
   * stdout lines at debug level.
   */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ReadyChild {
  /** The announced port; undefined for a child that announces none. */
  readonly port: number | undefined;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  close(graceMs?: number): Promise<void>;
  /** Resolves when the process exits, for whatever reason. */
  readonly exited: Promise<ChildExit>;
}

const readyPattern = /^ready on port (\d+)$/;

/**
 * Spawns `process.execPath` on the script and resolves once the child is ready. Every child runs
 * with the local cloud's memory settings (`process-memory-settings.ts`) before its own flags.
 */
export function startReadyChild(options: ReadyChildOptions & { readonly announcesPort: false }): Promise<ReadyChild>;
export function startReadyChild(
  options: ReadyChildOptions & { readonly announcesPort?: true },
): Promise<ReadyChild & { readonly port: number }>;
export function startReadyChild(options: ReadyChildOptions): Promise<ReadyChild>;
export function startReadyChild(options: ReadyChildOptions): Promise<ReadyChild> {
  const announcesPort = options.announcesPort ?? true;
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const child = spawn(process.execPath, [...localNodeFlags, ...(options.execArgv ?? []), options.script, ...(options.args ?? [])], {
    // A child that inherits the launcher's environment has these already (the launcher's main.ts adds them).
    ...(options.env ? { env: { ...options.env, ...localProcessEnvironment } } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const log = options.log?.child({ child: options.name, pid: child.pid });
  const onLine =
    options.onLine ??
    ((line: string, stream: 'stdout' | 'stderr') =>
      stream === 'stderr' ? log?.warn({ stderr: line }, 'child stderr') : log?.debug({ stdout: line }, 'child stdout'));
  let stderrTail = '';
  let ready = false;

  return new Promise<ReadyChild>((resolve, reject) => {
    const becomeReady = (port: number | undefined) => {
      ready = true;
      clearTimeout(timer);
      log?.debug({ port }, 'child ready');
      resolve({ port, process: child, exited, close: (graceMs) => closeChild(child, exited, graceMs ?? 3000) });
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not print "ready on port N" within ${readyTimeoutMs} ms; stderr: ${stderrTail}`));
    }, readyTimeoutMs);

    const stdout = child.stdout;
    const stderr = child.stderr;
    if (stdout) {
      createInterface({ input: stdout, crlfDelay: Infinity }).on('line', (line) => {
        const match = !ready && announcesPort ? readyPattern.exec(line) : null;
        if (match) becomeReady(Number(match[1]));
        else onLine(line, 'stdout');
      });
    }
    if (stderr) {
      createInterface({ input: stderr, crlfDelay: Infinity }).on('line', (line) => {
        if (!ready) stderrTail = `${stderrTail}${line}\n`.slice(-4000);
        onLine(line, 'stderr');
      });
    }
    child.once('spawn', () => {
      if (!announcesPort) becomeReady(undefined);
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} could not be started with ${process.execPath}`, { cause: err }));
    });
    // 'close' comes after the output streams ended, so the error carries the child's last words.
    child.once('close', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (code ${code}, signal ${signal}) before it was ready; stderr: ${stderrTail}`));
    });
  });
}

async function closeChild(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
