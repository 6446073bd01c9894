/**
 * Acknowledged vs stored, per device: the verdict of every fault-injection run. Stored readings are
 * read back through the public API (raw readings of the device, every page), the way a user sees
 * them. A reading acknowledged and not stored is LOST; a reading whose (ts, seq) comes back more
 * than once is DUPLICATED. Stored without acknowledgement is allowed (at-least-once: the PUBACK
 * itself can be lost in a kill).
 */
import type { FleetUser } from '../fleet-user.ts';
import { allStoredReadings } from '../fleet-user.ts';
import type { DeviceTally } from './counting-fleet.ts';

export interface DeviceVerdict {
  readonly deviceId: string;
  readonly sent: number;
  readonly acknowledged: number;
  /** Distinct readings stored. */
  readonly stored: number;
  /** seqs acknowledged and not stored. */
  readonly lost: readonly number[];
  /** seqs stored more than once. */
  readonly duplicated: readonly number[];
}

export interface RunVerdict {
  readonly devices: readonly DeviceVerdict[];
  readonly acknowledged: number;
  readonly stored: number;
  readonly lost: number;
  readonly duplicated: number;
}

/** Reads what is stored for each device's readings of this run (`ts` in [baseTs, baseTs + maxSeq]). */
export async function verdictOf(user: FleetUser, tallies: readonly DeviceTally[], baseTs: number, maxSeq: number): Promise<RunVerdict> {
  const devices = await Promise.all(
    tallies.map(async (tally): Promise<DeviceVerdict> => {
      const readings = await allStoredReadings(user, tally.deviceId, baseTs, baseTs + maxSeq);
      const counts = new Map<number, number>();
      for (const r of readings) if (r.ts === baseTs + r.seq) counts.set(r.seq, (counts.get(r.seq) ?? 0) + 1);
      return {
        deviceId: tally.deviceId,
        sent: tally.sent,
        acknowledged: tally.acknowledged.size,
        stored: counts.size,
        lost: [...tally.acknowledged.keys()].filter((seq) => !counts.has(seq)).sort((a, b) => a - b),
        duplicated: [...counts].flatMap(([seq, n]) => (n > 1 ? [seq] : [])),
      };
    }),
  );
  const sum = (f: (d: DeviceVerdict) => number) => devices.reduce((total, d) => total + f(d), 0);
  return {
    devices,
    acknowledged: sum((d) => d.acknowledged),
    stored: sum((d) => d.stored),
    lost: sum((d) => d.lost.length),
    duplicated: sum((d) => d.duplicated.length),
  };
}

/**
 * Polls until every acknowledged reading is stored or `timeoutMs` passes (the queue may still hold
 * a backlog), then reads once more after a pause so that a late duplicate would show.
 */
export async function settledVerdict(
  user: () => FleetUser,
  tallies: readonly DeviceTally[],
  baseTs: number,
  maxSeq: number,
  timeoutMs: number,
): Promise<RunVerdict> {
  const deadline = Date.now() + timeoutMs;
  let verdict = await verdictOf(user(), tallies, baseTs, maxSeq);
  while (verdict.lost > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    verdict = await verdictOf(user(), tallies, baseTs, maxSeq);
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  return verdictOf(user(), tallies, baseTs, maxSeq);
}

/** One line per run and one per device with a problem: what the lead reads in the test output. */
export function describeVerdict(
  scenario: string,
  verdict: RunVerdict,
  tallies: readonly DeviceTally[],
  faultsAt: readonly number[] = [],
): string {
  const lines = [
    `[fault] ${scenario}: acknowledged ${verdict.acknowledged}, stored ${verdict.stored} of them or more, lost ${verdict.lost}, duplicated ${verdict.duplicated}`,
  ];
  for (const d of verdict.devices) {
    if (d.lost.length === 0 && d.duplicated.length === 0) continue;
    const acks = tallies.find((t) => t.deviceId === d.deviceId)?.acknowledged;
    // How long before/after the nearest fault (kill, restart) each lost reading was acknowledged.
    const nearKill = d.lost.slice(0, 5).map((seq) => {
      const at = acks?.get(seq) ?? 0;
      const nearest = faultsAt.length > 0 ? Math.min(...faultsAt.map((k) => Math.abs(at - k))) : undefined;
      return nearest === undefined ? `${seq}` : `${seq} (acked ${nearest} ms from a fault)`;
    });
    lines.push(
      `  ${d.deviceId}: acknowledged ${d.acknowledged}, stored ${d.stored}, lost [${nearKill.join(', ')}${d.lost.length > 5 ? ', …' : ''}], duplicated [${d.duplicated.slice(0, 5).join(', ')}]`,
    );
  }
  return lines.join('\n');
}
