/**
 * What imports and replays share: readings stored in batches of `batchSize` through the injected
 * historical write (idempotent on (deviceId, ts, seq): a reading already stored counts as a
 * duplicate) and offered to the latest store (whose condition lets only a newer reading replace the
 * device's latest), and the row report (all rejections counted, the first `maxReportedErrors` listed).
 */
import { dataJobLimits, type Reading } from '@fleet/core';
import type { LatestStore } from '../latest-store.ts';
import type { TelemetryWriteResult } from '../telemetry-store.ts';

/** Stores readings of any age, rollups included (the rollups' `TelemetryStore.writeHistorical`). */
export type WriteHistorical = (readings: readonly Reading[]) => Promise<TelemetryWriteResult>;

export interface HistoricalDeps {
  readonly writeHistorical: WriteHistorical;
  readonly latest: Pick<LatestStore, 'write'>;
  readonly now?: () => number;
  /** Readings per write. @default 1000 */
  readonly batchSize?: number;
}

export interface RowReport {
  accepted: number;
  duplicates: number;
  rejected: number;
  readonly errors: { line: number; reason: string }[];
}

export interface HistoricalBatches {
  readonly report: RowReport;
  add(reading: Reading): Promise<void>;
  reject(line: number, reason: string): void;
  /** Writes what is left; call once at the end. */
  flush(): Promise<void>;
}

export function createHistoricalBatches(deps: HistoricalDeps): HistoricalBatches {
  const batchSize = deps.batchSize ?? 1000;
  const now = deps.now ?? Date.now;
  const report: RowReport = { accepted: 0, duplicates: 0, rejected: 0, errors: [] };
  let batch: Reading[] = [];

  async function write(readings: Reading[]) {
    if (readings.length === 0) return;
    const written = await deps.writeHistorical(readings);
    if (written.failed.length > 0) {
      // Retries are spent: the job fails and may be run again (every write is idempotent).
      throw new Error(`${written.failed.length} readings could not be stored`, { cause: written.failed[0]?.error });
    }
    report.accepted += written.stored;
    report.duplicates += written.duplicates;
    const receivedAt = now();
    const latest = await deps.latest.write(readings.map((r) => ({ ...r, receivedAt })));
    if (latest.failed.length > 0) throw new Error('the latest values could not be updated', { cause: latest.failed[0]?.error });
  }

  return {
    report,
    async add(reading) {
      batch.push(reading);
      if (batch.length >= batchSize) {
        const full = batch;
        batch = [];
        await write(full);
      }
    },
    reject(line, reason) {
      report.rejected++;
      if (report.errors.length < dataJobLimits.maxReportedErrors) report.errors.push({ line, reason: reason.slice(0, 512) });
    },
    async flush() {
      const rest = batch;
      batch = [];
      await write(rest);
    },
  };
}
