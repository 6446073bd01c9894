/**
 * Target health, as an ALB target group sees it: a target is healthy after answering its health
 * path with 2xx, unhealthy after consecutive failures; requests to an unhealthy target get 503.
 */
export interface HealthTarget {
  readonly name: string;
  readonly baseUrl: string;
  readonly healthPath: string;
}

export type TargetHealth = 'initial' | 'healthy' | 'unhealthy';

export interface HealthChecker {
  health(name: string): TargetHealth;
  all(): Readonly<Record<string, TargetHealth>>;
  /** Runs one round of checks now (the interval runs them by itself). */
  checkNow(): Promise<void>;
  stop(): void;
}

export function createHealthChecker(
  targets: readonly HealthTarget[],
  options: {
    intervalMs?: number;
    unhealthyThreshold?: number;
    timeoutMs?: number;
    onChange?: (name: string, health: TargetHealth) => void;
  } = {},
): HealthChecker {
  const unhealthyThreshold = options.unhealthyThreshold ?? 2;
  const state = new Map<string, { health: TargetHealth; failures: number }>(
    targets.map((t) => [t.name, { health: 'initial', failures: 0 }]),
  );

  async function checkOne(target: HealthTarget): Promise<void> {
    const entry = state.get(target.name);
    if (!entry) return;
    let ok = false;
    try {
      const res = await fetch(new URL(target.healthPath, target.baseUrl), { signal: AbortSignal.timeout(options.timeoutMs ?? 2_000) });
      ok = res.status >= 200 && res.status < 300;
      await res.body?.cancel();
    } catch {
      ok = false;
    }
    const before = entry.health;
    if (ok) {
      entry.failures = 0;
      entry.health = 'healthy';
    } else if (++entry.failures >= unhealthyThreshold) {
      entry.health = 'unhealthy';
    }
    if (before !== entry.health) options.onChange?.(target.name, entry.health);
  }

  const checkNow = async () => {
    await Promise.all(targets.map(checkOne));
  };
  const timer = setInterval(() => void checkNow(), options.intervalMs ?? 5_000);
  timer.unref();

  return {
    health: (name) => state.get(name)?.health ?? 'initial',
    all: () => Object.fromEntries([...state].map(([name, s]) => [name, s.health])),
    checkNow,
    stop: () => clearInterval(timer),
  };
}
