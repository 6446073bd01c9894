/**
 * The live state of the platform's child processes — the stand-ins that run apart (dynalite,
 * s3rver) and the three service tasks — as the launcher sees it: process state, pid, port,
 * restarts and last exit from the supervisor; target health and readiness from the gateway's
 * health checks. Served as `GET /_fleet/status` on the AWS port (as LocalStack serves
 * `/_localstack/health` on 4566), and logged one line per change.
 */
import type { Logger } from 'pino';
import type { ChildStatus } from '../child-process/index.ts';
import type { TargetHealth, TargetReadiness } from '../gateway/index.ts';

export interface ComponentStatus extends Omit<ChildStatus, 'name'> {
  readonly kind: 'stand-in' | 'service';
  /** Services only: what the load balancer sees (liveness) and what the service reports (readiness). */
  readonly health?: TargetHealth;
  readonly readiness?: TargetReadiness;
}

export interface PlatformStatusSnapshot {
  /** When this launcher started, epoch ms. */
  readonly startedAt: number;
  readonly components: Readonly<Record<string, ComponentStatus>>;
}

export interface PlatformStatus {
  /** Feed of the supervisor's `onStateChange`. */
  childChanged(kind: ComponentStatus['kind'], status: ChildStatus): void;
  /** Feed of the health checker's `onChange`. */
  healthChanged(name: string, health: TargetHealth): void;
  /** Feed of the health checker's `onReadinessChange`. */
  readinessChanged(name: string, readiness: TargetReadiness): void;
  snapshot(): PlatformStatusSnapshot;
}

/**
 * The supervisor logs each exit (with its code or signal) and each restart itself; this logs the
 * health and readiness changes, so that every state change is one line in the launcher's log.
 */
export function createPlatformStatus(deps: { readonly log: Logger; readonly now?: () => number }): PlatformStatus {
  const startedAt = (deps.now ?? Date.now)();
  const components = new Map<string, ComponentStatus>();
  const update = (name: string, change: Partial<ComponentStatus>) => {
    const current = components.get(name);
    const base: ComponentStatus = current ?? {
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
