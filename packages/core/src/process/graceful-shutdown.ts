/**
 * Graceful shutdown of a process, the same for the three services and the launcher. ECS stops a
 * task with SIGTERM and sends SIGKILL once the container's stop timeout (30 s by default) has
 * passed (Amazon ECS developer guide, "stopTimeout"); Ctrl-C sends SIGINT. On the first of them
 * the process stops taking work and finishes what it holds (`drain`), then exits: 0 when the
 * drain finished, 1 when it failed or did not finish within `timeoutMs`. Later signals are
 * logged and ignored, so a second Ctrl-C cannot cut the drain short.
 */

/** The two log calls it makes (pino's Logger has them). */
export interface ShutdownLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** The parts of `process` it uses; tests pass their own. */
export interface ShutdownProcess {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  exit(code: number): void;
}

export interface GracefulShutdownOptions {
  readonly log: ShutdownLog;
  /** Stops accepting work and waits for what is in flight (close servers, stop consumers, destroy clients). */
  readonly drain: () => Promise<void>;
  /** After this the process exits with 1 whatever the drain is doing; below ECS's stop timeout for a service. */
  readonly timeoutMs: number;
  /** @default ['SIGTERM', 'SIGINT'] */
  readonly signals?: readonly NodeJS.Signals[];
  /** @default process */
  readonly process?: ShutdownProcess;
}

export function exitGracefullyOnSignal(options: GracefulShutdownOptions): void {
  const { log, drain, timeoutMs } = options;
  const target = options.process ?? process;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.info({ signal }, 'already shutting down');
      return;
    }
    stopping = true;
    log.info({ signal, timeoutMs }, 'shutting down: finishing in-flight work');
    const forced = setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown did not finish in time; exiting');
      target.exit(1);
    }, timeoutMs);
    // The timer alone must not keep a drained process alive.
    forced.unref();
    drain().then(
      () => {
        clearTimeout(forced);
        log.info({ signal }, 'stopped');
        target.exit(0);
      },
      (err: unknown) => {
        clearTimeout(forced);
        log.error({ err }, 'shutdown failed');
        target.exit(1);
      },
    );
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) target.on(signal, () => shutdown(signal));
}
