/**
 * The device's side of a migration: each simulated device's history generated (backfill-plan.ts) and
 * sent through the public import job, as a user migrating from another platform would: create the
 * job, PUT the file to its presigned link with the content type it names, start it, poll until it
 * finishes. Devices go one after the other: the fleet runs one import at a time anyway, and only one
 * file is held in memory.
 */
import type { DataJob } from '@fleet/core';
import { backfillCsv, type BackfillPlan } from './backfill-plan.ts';
import type { FleetApi } from './fleet-api-client.ts';
import type { DeviceSignals } from './signals.ts';

export interface BackfillOutcome {
  readonly deviceId: string;
  readonly rows: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly ms: number;
  /** The first rejected row's line and reason (the job's report lists the first 100). */
  readonly firstRejection?: string;
  /** Why the job failed (then the counts are what it reached). */
  readonly error?: string;
}

export interface BackfillDeps {
  readonly api: Pick<FleetApi, 'createDataJob' | 'startDataJob' | 'dataJob'>;
  readonly plan: BackfillPlan;
  readonly devices: readonly { readonly deviceId: string; readonly signals: DeviceSignals }[];
  /** Called with each device's outcome as it finishes. */
  readonly onOutcome?: (outcome: BackfillOutcome) => void;
  /** Called with each poll's answer while a job waits or runs. */
  readonly onProgress?: (job: DataJob) => void;
  /** @default 500 */
  readonly pollMs?: number;
  /**
   * How long one device's job may take, queue included: a year of 1-minute readings (≈ 21 MB of CSV)
   * had stored 95 % of its bytes after 10.5 minutes on the local cloud (dynalite), shared 2-core machine. @default 2 hours
   */
  readonly timeoutMs?: number;
}

export async function backfillDevices(deps: BackfillDeps): Promise<BackfillOutcome[]> {
  const outcomes: BackfillOutcome[] = [];
  for (const device of deps.devices) {
    const outcome = await backfillDevice(deps, device.deviceId, backfillCsv(deps.plan, device.signals));
    deps.onOutcome?.(outcome);
    outcomes.push(outcome);
  }
  return outcomes;
}

async function backfillDevice(deps: BackfillDeps, deviceId: string, csv: string): Promise<BackfillOutcome> {
  const { api, plan, pollMs = 500, timeoutMs = 2 * 3_600_000 } = deps;
  const started = Date.now();
  const body = Buffer.from(csv);
  const created = await api.createDataJob({ kind: 'import', deviceId, format: 'csv', bytes: body.length });
  if (!created.upload) throw new Error(`import job ${created.id} for ${deviceId} came without an upload link (status ${created.status})`);
  const put = await fetch(created.upload.url, { method: 'PUT', headers: { 'content-type': created.upload.contentType }, body });
  if (!put.ok) throw new Error(`upload of ${deviceId}'s history answered ${put.status}: ${await put.text()}`);
  let job = await api.startDataJob(created.id);
  while (job.status !== 'succeeded' && job.status !== 'failed') {
    if (Date.now() - started > timeoutMs) throw new Error(`import job ${job.id} for ${deviceId} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    job = await api.dataJob(created.id);
    deps.onProgress?.(job);
  }
  return outcomeOf(deviceId, plan.count, job, Date.now() - started);
}

function outcomeOf(deviceId: string, rows: number, job: DataJob, ms: number): BackfillOutcome {
  const result = job.result ?? {};
  const first = result.errors?.[0];
  return {
    deviceId,
    rows,
    accepted: result.accepted ?? 0,
    duplicates: result.duplicates ?? 0,
    rejected: result.rejected ?? 0,
    ms,
    ...(first ? { firstRejection: `line ${first.line}: ${first.reason}` } : {}),
    ...(job.status === 'failed' ? { error: job.error ?? 'failed without a reason' } : {}),
  };
}

/** One line of the simulator's report. */
export function describeOutcome(o: BackfillOutcome): string {
  const counts = `${o.rows} rows sent, ${o.accepted} accepted, ${o.duplicates} duplicates, ${o.rejected} rejected in ${(o.ms / 1000).toFixed(1)} s`;
  const rejection = o.firstRejection === undefined ? '' : ` (first: ${o.firstRejection})`;
  return `  ${o.deviceId}: ${counts}${rejection}${o.error === undefined ? '' : `; job failed: ${o.error}`}`;
}
