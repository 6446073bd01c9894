/**
 * Health of a service, as a cross-process contract: the API and Data Services answer it, the
 * local launcher's status view, the gateway, the e2e tests and (later) the web app's overview read
 * it. Two routes per service (paths in `services.ts`):
 *
 * - **liveness** (`livenessPath`): the process answers. The ECS container health check and the ALB
 *   target group use it: a task that fails it is replaced, which helps only when the task itself
 *   is broken.
 * - **readiness** (`healthPath`): the process answers AND every dependency answers a cheap call
 *   (DescribeTable, ListObjectsV2 of one key, GetQueueAttributes), 503 naming what failed.
 *
 * Why the load balancer does not use readiness: "the service scheduler also replaces tasks
 * determined to be unhealthy after a container health check or a load balancer target group
 * health check fails" (Amazon ECS Developer Guide, "Amazon ECS services"). A DynamoDB outage fails
 * every task's readiness at once; replacing tasks cannot fix it, so ECS would kill and start tasks
 * in a loop while the dependency is down, and with every target unhealthy an ALB routes to all of
 * them anyway ("fail open"). Readiness is for people and monitors: it says what is wrong.
 */
import { Type, type Static } from 'typebox';
import type { ServiceName } from './services.ts';

/** A failed probe's error text is cut to this many characters (it may be an AWS SDK's long message). */
const maxErrorLength = 300;

export const DependencyCheckSchema = Type.Object({
  /** What was probed: `dynamodb:<table>`, `s3:<bucket>`, `sqs:<queue>`, or an internal part. */
  name: Type.String({ maxLength: 256 }),
  status: Type.Union([Type.Literal('ok'), Type.Literal('failed')]),
  latencyMs: Type.Number(),
  /** Why it failed: the error's name and message. */
  error: Type.Optional(Type.String({ maxLength: maxErrorLength })),
});

export const HealthReportSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  service: Type.String({ maxLength: 32 }),
  /** When the probes ran, epoch ms: answers within `cacheMs` reuse one round of probes. */
  checkedAt: Type.Number(),
  checks: Type.Array(DependencyCheckSchema),
});

export const LivenessSchema = Type.Object({ status: Type.Literal('ok') });

export type DependencyCheck = Static<typeof DependencyCheckSchema>;
export type HealthReport = Static<typeof HealthReportSchema>;

/** One dependency: a cheap call that rejects when the dependency cannot serve. */
export interface DependencyProbe {
  readonly name: string;
  probe(signal: AbortSignal): Promise<unknown>;
}

export interface HealthProbeOptions {
  readonly service: ServiceName;
  readonly dependencies: readonly DependencyProbe[];
  /**
   * How long one round of probes answers every caller: load balancers, the gateway and people
   * all ask, and each round costs a call per dependency. @default 5000
   */
  readonly cacheMs?: number;
  /** A probe slower than this failed (an ALB waits 5 s for the whole answer). @default 2000 */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export interface HealthProbe {
  /** The readiness report: probes once per `cacheMs`, concurrent callers share the round. */
  report(): Promise<HealthReport>;
}

export function createHealthProbe(options: HealthProbeOptions): HealthProbe {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  let cached: { at: number; report: Promise<HealthReport> } | undefined;

  async function check(dependency: DependencyProbe): Promise<DependencyCheck> {
    const started = now();
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      // The race also ends a probe that ignores its signal.
      await Promise.race([
        dependency.probe(signal),
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs} ms`)), { once: true }),
        ),
      ]);
      return { name: dependency.name, status: 'ok', latencyMs: now() - started };
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      return { name: dependency.name, status: 'failed', latencyMs: now() - started, error: error.slice(0, maxErrorLength) };
    }
  }

  async function probeAll(): Promise<HealthReport> {
    const checkedAt = now();
    const checks = await Promise.all(options.dependencies.map(check));
    const status = checks.every((c) => c.status === 'ok') ? 'ok' : 'unavailable';
    return { status, service: options.service, checkedAt, checks };
  }

  return {
    report() {
      if (!cached || now() - cached.at >= cacheMs) cached = { at: now(), report: probeAll() };
      return cached.report;
    },
  };
}
