/**
 * Target health, as an ALB target group sees it: a target is healthy after answering its health
 * path (the service's liveness path, as the target group's) with 2xx, unhealthy after consecutive
 * failures; requests to an unhealthy target get 503.
 *
 * Besides, for the launcher's status view, the same round reads each target's readiness report
 * (`HealthReport` of @fleet/core) and keeps which dependencies failed: what an operator would see
 * on a monitoring dashboard, not something the load balancer acts on (see health.ts in core).
 */
import type { HealthReport, TargetHealth, TargetReadiness } from '@fleet/core';

export type { TargetHealth, TargetReadiness };

export interface HealthTarget {
  readonly name: string;
  readonly baseUrl: string;
  /** What the target group checks: the liveness path. */
  readonly healthPath: string;
  /** The readiness path answering a `HealthReport`; not checked when absent. */
  readonly readinessPath?: string;
}

export interface HealthChecker {
  health(name: string): TargetHealth;
  all(): Readonly<Record<string, TargetHealth>>;
  readiness(name: string): TargetReadiness;
  /** Runs one round of checks now (the interval runs them by itself). */
  checkNow(): Promise<void>;
  stop(): void;
}

const unknown: TargetReadiness = { status: 'unknown', failed: [] };

export function createHealthChecker(
  targets: readonly HealthTarget[],
  options: {
    intervalMs?: number;
    unhealthyThreshold?: number;
    timeoutMs?: number;
    onChange?: (name: string, health: TargetHealth) => void;
    onReadinessChange?: (name: string, readiness: TargetReadiness) => void;
  } = {},
): HealthChecker {
  const unhealthyThreshold = options.unhealthyThreshold ?? 2;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const state = new Map<string, { health: TargetHealth; failures: number; readiness: TargetReadiness }>(
    targets.map((t) => [t.name, { health: 'initial', failures: 0, readiness: unknown }]),
  );

  async function checkHealth(target: HealthTarget): Promise<boolean> {
    try {
      const res = await fetch(new URL(target.healthPath, target.baseUrl), { signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
      return res.status >= 200 && res.status < 300;
    } catch {
      return false;
    }
  }

  async function checkReadiness(path: string, target: HealthTarget): Promise<TargetReadiness> {
    try {
      const res = await fetch(new URL(path, target.baseUrl), { signal: AbortSignal.timeout(timeoutMs) });
      const report = (await res.json()) as HealthReport;
      const failed = Array.isArray(report.checks) ? report.checks.filter((c) => c.status !== 'ok').map((c) => c.name) : [];
      if (res.status === 200) return { status: 'ready', failed: [] };
      return { status: 'unready', failed: failed.length > 0 ? failed : [`HTTP ${res.status}`] };
    } catch (err) {
      return { status: 'unready', failed: [`no readiness report: ${(err as Error).message}`] };
    }
  }

  async function checkOne(target: HealthTarget): Promise<void> {
    const entry = state.get(target.name);
    if (!entry) return;
    const [ok, readiness] = await Promise.all([
      checkHealth(target),
      target.readinessPath ? checkReadiness(target.readinessPath, target) : Promise.resolve(unknown),
    ]);
    const before = entry.health;
    if (ok) {
      entry.failures = 0;
      entry.health = 'healthy';
    } else if (++entry.failures >= unhealthyThreshold) {
      entry.health = 'unhealthy';
    }
    if (before !== entry.health) options.onChange?.(target.name, entry.health);
    const previous = entry.readiness;
    entry.readiness = readiness;
    if (previous.status !== readiness.status || previous.failed.join() !== readiness.failed.join()) {
      options.onReadinessChange?.(target.name, readiness);
    }
  }

  const checkNow = async () => {
    await Promise.all(targets.map(checkOne));
  };
  const timer = setInterval(() => void checkNow(), options.intervalMs ?? 5_000);
  timer.unref();

  return {
    health: (name) => state.get(name)?.health ?? 'initial',
    all: () => Object.fromEntries([...state].map(([name, s]) => [name, s.health])),
    readiness: (name) => state.get(name)?.readiness ?? unknown,
    checkNow,
    stop: () => clearInterval(timer),
  };
}

/**
 * Checks every target until all answer healthy or `timeoutMs` passes; whether they all did. The
 * launcher announces "Fleet is up" only then: a service process exists well before it listens.
 */
export async function waitUntilHealthy(checker: HealthChecker, timeoutMs: number, pollMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await checker.checkNow();
    if (Object.values(checker.all()).every((h) => h === 'healthy')) return true;
    if (Date.now() + pollMs > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
