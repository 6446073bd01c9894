/**
 * The live state of the platform's child processes — the stand-ins that run apart (dynalite,
 * s3rver) and the three service tasks — as the launcher sees it: process state, pid, port,
 * restarts and last exit from the supervisor; target health and readiness from the gateway's
 * health checks. Served as `GET /_fleet/status` on the AWS port (the `LocalStatus` of @fleet/core),
 * and logged one line per change.
 */
import type { LocalComponentStatus, LocalStatus, TargetHealth, TargetReadiness } from '@fleet/core';
import type { Logger } from 'pino';
import type { ChildStatus } from '../child-process/index.ts';

export interface PlatformStatus {
  /** Feed of the supervisor's `onStateChange`. */
  childChanged(kind: LocalComponentStatus['kind'], status: ChildStatus): void;
  /** Feed of the health checker's `onChange`. */
  healthChanged(name: string, health: TargetHealth): void;
  /** Feed of the health checker's `onReadinessChange`. */
  readinessChanged(name: string, readiness: TargetReadiness): void;
  snapshot(): LocalStatus;
}

/**
 * The supervisor logs each exit (with its code or signal) and each restart itself; this logs the
 * health and readiness changes, so that every state change is one line in the launcher's log.
 */
export function createPlatformStatus(deps: { readonly log: Logger; readonly now?: () => number }): PlatformStatus {
  const startedAt = (deps.now ?? Date.now)();
  const components = new Map<string, LocalComponentStatus>();
  const update = (name: string, change: Partial<LocalComponentStatus>) => {
    const current = components.get(name);
    const base: LocalComponentStatus = current ?? {
      kind: 'service',
      state: 'starting',
      pid: undefined,
      port: undefined,
      restarts: 0,
      lastExit: undefined,
      since: startedAt,
    };
    components.set(name, { ...base, ...change });
  };

  return {
    childChanged(kind, { name, ...status }) {
      update(name, { kind, ...status });
    },
    healthChanged(name, health) {
      update(name, { health });
      const line = { service: name, health };
      if (health === 'unhealthy') deps.log.warn(line, `${name} is unhealthy: its load balancer answers 503`);
      else deps.log.info(line, `${name} is ${health}`);
    },
    readinessChanged(name, readiness) {
      update(name, { readiness });
      const line = { service: name, readiness: readiness.status, failed: readiness.failed };
      if (readiness.status === 'unready') deps.log.warn(line, `${name} is not ready: ${readiness.failed.join(', ')}`);
      else deps.log.info(line, `${name} is ${readiness.status}`);
    },
    snapshot: () => ({ startedAt, components: Object.fromEntries(components) }),
  };
}
