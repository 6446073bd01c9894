/**
 * One supervisor for every child process of the local cloud: the stand-ins (dynalite, s3rver) and
 * the three service tasks. It starts the child, and when the child exits for any reason other
 * than `stop()` it logs the exit code or signal, counts the restart and starts a replacement after
 * a capped exponential backoff — what an ECS service does for a task that stops (the service
 * scheduler "launches another instance of your task definition to replace it", and throttles
 * tasks that keep failing: "Amazon ECS service throttle logic").
 *
 * A replacement keeps the address: `args` gets the port the previous instance listened on. Only if
 * that port was taken meanwhile (EADDRINUSE) does the next attempt take a new one; readers follow
 * `status().port`, so the forwarder switches to the new port in one assignment.
 */
import type { ProcessState } from '@fleet/core';
import pino from 'pino';
import { startReadyChild, type ChildExit, type ReadyChild, type ReadyChildOptions } from './ready-child.ts';

export type ChildState = ProcessState;

export interface ChildStatus {
  readonly name: string;
  readonly state: ChildState;
  /** The running process, or while down the one that exited. */
  readonly pid: number | undefined;
  /** The port the child announced (stand-ins); undefined for a service task. */
  readonly port: number | undefined;
  /** Replacements started after an unexpected exit. */
  readonly restarts: number;
  readonly lastExit: (ChildExit & { readonly at: number }) | undefined;
  /** When the current state began, epoch ms. */
  readonly since: number;
}

export interface Backoff {
  /** Delay before the first replacement. */
  readonly initialMs: number;
  /** Cap of the doubling delay. */
  readonly maxMs: number;
  /** A child that ran this long before exiting is replaced after `initialMs` again. */
  readonly stableAfterMs: number;
}

/** 0.5 s after a one-off exit, doubling up to 30 s while the child keeps dying within 30 s. */
export const defaultBackoff: Backoff = { initialMs: 500, maxMs: 30_000, stableAfterMs: 30_000 };

export interface SupervisorOptions extends Omit<ReadyChildOptions, 'args'> {
  /** Arguments of each start; `port` is where the previous instance listened (undefined at first). */
  readonly args?: (previous: { readonly port: number | undefined }) => readonly string[];
  /** @default defaultBackoff */
  readonly backoff?: Backoff;
  /** SIGTERM → SIGKILL grace of `stop()`. @default 3000 */
  readonly stopGraceMs?: number;
  /** Called on every state change (the launcher's status view and its log lines). */
  readonly onStateChange?: (status: ChildStatus) => void;
}

export interface SupervisedChild {
  readonly name: string;
  status(): ChildStatus;
  /** Where the child listens while it is up; undefined while it is down or starting. */
  port(): number | undefined;
  /** Stops supervising, then stops the child (SIGTERM, SIGKILL after the grace period). */
  stop(): Promise<void>;
}

/**
 * Starts the child and supervises it. Rejects if the FIRST start fails: a broken installation or
 * a bad argument should fail `npm start` with the child's stderr, not loop.
 */
export async function startSupervisedChild(options: SupervisorOptions): Promise<SupervisedChild> {
  const { name } = options;
  const log = options.log ?? pino({ level: 'silent' });
  const backoff = options.backoff ?? defaultBackoff;
  let state: ChildState = 'starting';
  let since = Date.now();
  let current: ReadyChild | undefined;
  let port: number | undefined;
  let restarts = 0;
  let lastExit: ChildStatus['lastExit'];
  /** Exits in a row that came before `stableAfterMs` of uptime: the backoff exponent. */
  let quickExits = 0;
  let upSince = 0;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let pendingStart: Promise<void> | undefined;

  const status = (): ChildStatus => ({ name, state, pid: current?.process.pid, port, restarts, lastExit, since });
  const setState = (next: ChildState) => {
    state = next;
    since = Date.now();
    options.onStateChange?.(status());
  };

  const launch = () => startReadyChild({ ...options, args: options.args?.({ port }) ?? [], log });

  const watch = (child: ReadyChild) => {
    current = child;
    port = child.port ?? port;
    upSince = Date.now();
    setState('up');
    void child.exited.then((exit) => {
      if (stopping || current !== child) return;
      lastExit = { ...exit, at: Date.now() };
      scheduleRestart(Date.now() - upSince >= backoff.stableAfterMs, { code: exit.code, signal: exit.signal });
    });
  };

  const scheduleRestart = (wasStable: boolean, reason: Record<string, unknown>) => {
    if (wasStable) quickExits = 0;
    const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** quickExits);
    quickExits += 1;
    setState('down');
    log.warn({ child: name, ...reason, restarts, restartInMs: delay }, `${name} is down; restarting it`);
    timer = setTimeout(() => {
      pendingStart = restart().finally(() => (pendingStart = undefined));
    }, delay);
  };

  const restart = async () => {
    if (stopping) return;
    restarts += 1;
    setState('starting');
    try {
      const child = await launch();
      if (stopping) {
        await child.close(options.stopGraceMs);
        return;
      }
      watch(child);
      log.info({ child: name, pid: child.process.pid, port: child.port, restarts }, `${name} is up again (restart ${restarts})`);
    } catch (err) {
      if (stopping) return;
      const message = (err as Error).message;
      // The kept port was taken while the child was down: the next attempt listens on a new one.
      if (/EADDRINUSE/.test(message)) port = undefined;
      lastExit = { code: null, signal: null, at: Date.now() };
      scheduleRestart(false, { error: message.slice(0, 500) });
    }
  };

  watch(await launch());
  return {
    name,
    status,
    port: () => (state === 'up' ? port : undefined),
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await pendingStart;
      await current?.close(options.stopGraceMs ?? 3000);
      setState('stopped');
    },
  };
}
