/**
 * The local cloud's live status view (`GET /_fleet/status` on the AWS port, where LocalStack users
 * look for `/_localstack/health`): the state of each child process the launcher supervises — the
 * stand-ins that run apart (dynalite, s3rver) and the service tasks — with what the gateway's
 * health checks see. Local only: on AWS, ECS and the target groups show the same facts.
 */

export const localStatusPath = '/_fleet/status';

export type ProcessState = 'starting' | 'up' | 'down' | 'stopped';

/** What the load balancer sees of a target (its liveness path). */
export type TargetHealth = 'initial' | 'healthy' | 'unhealthy';

/** What a service's readiness report says (its `HealthReport`, see health.ts). */
export interface TargetReadiness {
  readonly status: 'unknown' | 'ready' | 'unready';
  /** Names of the failed checks, or why the report could not be read. */
  readonly failed: readonly string[];
}

export interface LocalComponentStatus {
  readonly kind: 'stand-in' | 'service';
  readonly state: ProcessState;
  readonly pid: number | undefined;
  /** The port a stand-in listens on (kept across restarts). */
  readonly port: number | undefined;
  /** Replacements started after an unexpected exit. */
  readonly restarts: number;
  readonly lastExit: { readonly code: number | null; readonly signal: string | null; readonly at: number } | undefined;
  /** When the current state began, epoch ms. */
  readonly since: number;
  /** Services only. */
  readonly health?: TargetHealth;
  readonly readiness?: TargetReadiness;
}

export interface LocalStatus {
  /** When the launcher started, epoch ms. */
  readonly startedAt: number;
  readonly components: Readonly<Record<string, LocalComponentStatus>>;
}
