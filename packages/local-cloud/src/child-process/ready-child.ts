/**
 * Starts a stand-in (dynalite, s3rver, ...) as a separate Node process and waits for its
 * "ready on port N" line. A separate process keeps the library off the local cloud's event loop
 * (NOTES.md: dynalite batch writes ≈ 5k/s out of process vs ≈ 3.4k in process) and lets it die on
 * its own terms (SIGKILL leaves its disk data intact).
 *
 * The child must exit when its stdin closes (see `exitWithParent` in `child-entry.mjs`): the
 * parent keeps the pipe open, so when the parent dies — even by SIGKILL — the child follows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';

export interface ReadyChildOptions {
  /** Human name for logs and errors (`dynalite`, `s3rver`). */
  readonly name: string;
  /** Absolute path of the entry script. */
  readonly script: string;
  readonly args?: readonly string[];
  /** Node flags placed before the script (e.g. `--openssl-legacy-provider`, `--import tsx`). */
  readonly execArgv?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: Logger;
  /** How long to wait for the ready line. */
  readonly readyTimeoutMs?: number;
}

export interface ReadyChild {
  readonly port: number;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  close(graceMs?: number): Promise<void>;
  /** Resolves when the process exits, for whatever reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const readyPattern = /ready on port (\d+)/;

/** Spawns `process.execPath` on the script and resolves once it printed `ready on port N`. */
export function startReadyChild(options: ReadyChildOptions): Promise<ReadyChild> {
  const child = spawn(process.execPath, [...(options.execArgv ?? []), options.script, ...(options.args ?? [])], {
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const log = options.log?.child({ child: options.name, pid: child.pid });
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
    log?.warn({ stderr: chunk.trimEnd() }, 'child stderr');
  });

  return new Promise<ReadyChild>((resolve, reject) => {
    let stdoutBuffer = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${options.name} did not print "ready on port N" within ${options.readyTimeoutMs ?? 15_000} ms; stderr: ${stderrTail}`),
      );
    }, options.readyTimeoutMs ?? 15_000);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (ready) {
        log?.debug({ stdout: chunk.trimEnd() }, 'child stdout');
        return;
      }
      stdoutBuffer += chunk;
      const match = readyPattern.exec(stdoutBuffer);
      if (!match) return;
      ready = true;
      clearTimeout(timer);
      const port = Number(match[1]);
      log?.info({ port }, 'child ready');
      resolve({ port, process: child, exited, close: (graceMs) => closeChild(child, exited, graceMs ?? 3000) });
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} could not be started with ${process.execPath}`, { cause: err }));
    });
    void exited.then(({ code, signal }) => {
      if (ready) {
        log?.info({ code, signal }, 'child exited');
        return;
      }
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
