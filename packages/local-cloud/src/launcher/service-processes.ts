/**
 * Runs the three ECS services as supervised child processes with exactly the environment their
 * task definitions get (plus the endpoint and credentials the SDK reads, which a task gets from
 * its role). The supervisor replaces a task that exits, as an ECS service does.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ServiceDefinition, ServiceEnvironment } from '@fleet/core';
import { startSupervisedChild, type ChildStatus, type SupervisedChild } from '../child-process/index.ts';

const exitWithLauncher = new URL('./exit-with-launcher.mjs', import.meta.url).href;

export interface ServiceProcessOptions {
  readonly service: ServiceDefinition;
  /** The task's name in the status view and its log file's; another task of the same service needs its own. @default the service's name */
  readonly taskName?: string;
  readonly repoRoot: string;
  readonly environment: ServiceEnvironment;
  /** The host's variables a container has too (PATH, HOME, …): `LaunchConfig.serviceHostVariables`. */
  readonly hostVariables: Readonly<Record<string, string>>;
  readonly logDir: string;
  readonly log: Logger;
  /** Every stdout line; the launcher feeds Embedded Metric Format lines to CloudWatch. */
  readonly onLine?: (line: string) => void;
  readonly onStateChange?: (status: ChildStatus) => void;
}

export type ServiceProcess = SupervisedChild;

export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const { service, log } = options;
  const name = options.taskName ?? service.name;
  mkdirSync(options.logDir, { recursive: true });
  const logFile = createWriteStream(join(options.logDir, `${name}.log`), { flags: 'a' });
  const child = await startSupervisedChild({
    name,
    script: join(service.folder, 'src', 'main.ts'),
    // stdin stays open and unwritten: its end tells the service the launcher died (exit-with-launcher.mjs).
    execArgv: ['--import', 'tsx', '--import', exitWithLauncher],
    cwd: options.repoRoot,
    env: { ...options.hostVariables, ...options.environment },
    announcesPort: false,
    // ECS waits the container's stopTimeout (30 s by default) after SIGTERM; the services finish in-flight work in less.
    stopGraceMs: 10_000,
    log,
    onLine: (line, stream) => {
      logFile.write(`${line}\n`);
      options.onLine?.(line);
      if (stream === 'stderr' || /"level":(50|60)/.test(line)) log.warn({ service: name }, line);
    },
    ...(options.onStateChange ? { onStateChange: options.onStateChange } : {}),
  });
  return {
    ...child,
    async stop() {
      await child.stop();
      await new Promise<void>((resolve) => logFile.end(resolve));
    },
  };
}
