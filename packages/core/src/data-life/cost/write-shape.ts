/**
 * How the Data Service really writes a reading, as sizes and request counts the cost model prices.
 * The figures follow the code: one flush of the ingest consumer writes, per device present in it,
 * one UpdateItem of each telemetry window it touches (services/data/src/telemetry-store.ts: every
 * reading of that window in one call), one conditional UpdateItem of the latest item
 * (latest-store.ts), at most about one per `latestValuesTiming.intervalMs` (latest-coalescer.ts);
 * one archive PUT per flush and UTC hour (archive-writer.ts). The rollups follow
 * their own timing (`liveRollupTiming`, services/data/src/rollups/README.md "Fold marks"): a device
 * publishing less often than the hour fold's interval has each reading's minute, hour and day
 * rolled up at once (a Put each, the hour and day after a Query); a faster one has, per round it
 * appears in, its minute Put and a fold mark, and per fold interval its hour and day folded and the
 * mark deleted.
 *
 * DynamoDB bills a write 1 unit per started KB of the larger of the item before and after it, a
 * Query 1 unit per started 4 KB when strongly consistent, and stores 100 bytes per item on top
 * of its data (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 */
import { latestValuesTiming, liveRollupTiming, rollupLevels, telemetryLayout } from '../rollups.ts';

/** A device id as the simulator and most fleets name them (`sim-000123`, a thing name of ~16 chars). */
const deviceIdBytes = 16;
/** A metric name and its JSON number (`"temperature":21.53,`). */
const metricJsonBytes = 20;

/** The device's JSON message: `{"ts":…,"seq":…,` + one entry per metric. */
export function messageBytes(metrics: number): number {
  return 40 + metrics * metricJsonBytes;
}

/** One reading inside a window item: attribute `r<offsetMs>_<seq>` holding its values as a JSON string (reading-codec.ts). */
export function readingAttributeBytes(metrics: number): number {
  return 10 + 2 + metrics * metricJsonBytes;
}

/** Keys and TTL of a window item: `pk = <deviceId>#<yyyy-MM-dd>`, `sk` = the window's ISO start (`#c<k>` after the first), `expiresAt`. */
const windowKeyBytes = 2 + deviceIdBytes + 11 + 2 + 24 + 9 + 9;
/** The `sealed` attribute (true) the write that fills a chain item sets. */
const sealBytes = 7;

/** The latest item: device id, ts, seq, the values as a map, receivedAt (and presence fields). */
export function latestItemBytes(metrics: number): number {
  return 8 + deviceIdBytes + 2 * 12 + 6 + metrics * (metricJsonBytes + 3) + 60;
}

/** A rollup item: keys, TTL, and per metric its aggregate (min, max, sum, count, first, last). */
export function rollupItemBytes(metrics: number): number {
  return 2 + deviceIdBytes + 15 + 2 + 24 + 9 + 9 + metrics * (12 + 6 * 12);
}

/** One archived JSON line: message id, device, receivedAt, ts, seq and the values. */
export function archiveLineBytes(metrics: number): number {
  return 130 + deviceIdBytes + metrics * metricJsonBytes;
}

/** A fold mark (`#fold#<shard>`, the device-hour and a token) and its conditional delete: well under 1 KB, a unit each. */
const foldMarkUnits = 1;

const kb = 1024;
const startedUnits = (bytes: number, per: number) => Math.max(1, Math.ceil(bytes / per));

export interface WriteShape {
  /** Readings of one device in one flush (1 unless the device publishes faster than the flushes come). */
  readonly readingsPerDeviceFlush: number;
  /** Write units per reading by table, averaged over a window's life (the rollups' over a fold interval). */
  readonly telemetryUnitsPerReading: number;
  readonly latestUnitsPerReading: number;
  readonly rollupUnitsPerReading: number;
  /** Read units per reading of the rollups' 1-hour and 1-day Queries. */
  readonly rollupReadUnitsPerReading: number;
  /** Stored bytes (data + per-item overhead) per raw reading. */
  readonly rawBytesPerReading: number;
  /** Stored bytes of one rollup item. */
  readonly rollupItemStoredBytes: number;
}

/**
 * The write and storage shape of a device publishing every `intervalSeconds` with `metrics` values,
 * in flushes `flushSeconds` apart.
 */
export function writeShape(input: {
  intervalSeconds: number;
  metrics: number;
  flushSeconds: number;
  /** Readings of one device per flush when known (the benchmark measures it); else from the interval and the flush period. */
  readingsPerDeviceFlush?: number;
}): WriteShape {
  const { intervalSeconds, metrics, flushSeconds } = input;
  const windowSeconds = telemetryLayout.windowMs / 1000;
  const perWindow = Math.max(1, Math.floor(windowSeconds / intervalSeconds));
  const perFlush = Math.min(perWindow, Math.max(1, input.readingsPerDeviceFlush ?? Math.floor(flushSeconds / intervalSeconds)));
  const reading = readingAttributeBytes(metrics);

  // Walk one window's writes as the Data Service makes them (services/data/src/window-chain.ts): each
  // write adds a flush's readings to the chain's open item and costs its larger (after) size; the
  // write that would leave no room for another flush like it seals the item, and the next write
  // starts a new one. The first write of a window does not know its item's size, so never seals.
  let windowUnits = 0;
  let held = 0;
  let items = 1;
  let itemBytes = windowKeyBytes;
  let known: number | undefined;
  while (held < perWindow) {
    const chunk = Math.min(perFlush, perWindow - held) * reading;
    const seal = known !== undefined && known + 2 * chunk >= telemetryLayout.itemTargetBytes;
    itemBytes += chunk + (seal ? sealBytes : 0);
    windowUnits += startedUnits(itemBytes, kb);
    held += chunk / reading;
    known = seal ? 0 : itemBytes;
    if (seal && held < perWindow) {
      items++;
      itemBytes = windowKeyBytes + 3;
    }
  }
  const telemetryUnitsPerReading = windowUnits / perWindow;
  // One latest write per flush, or per `latestValuesTiming.intervalMs` for a device publishing faster.
  const perLatestWrite = Math.max(perFlush, Math.floor(latestValuesTiming.intervalMs / 1000 / intervalSeconds));
  const latestUnitsPerReading = startedUnits(latestItemBytes(metrics), kb) / perLatestWrite;

  const rollupBytes = rollupItemBytes(metrics);
  const put = startedUnits(rollupBytes, kb);
  // The 1-hour Query reads the hour's minute items (half an hour in on average), the 1-day Query the
  // day's hours; both strongly consistent (services/data/src/rollups/README.md): 1 unit per started 4 KB.
  const minutesRead = Math.min(60, Math.max(1, 1800 / Math.max(intervalSeconds, 60)));
  const hoursRead = Math.min(24, Math.max(1, 43_200 / Math.max(intervalSeconds, 3600)));
  const queryUnits = (items: number) => startedUnits(items * rollupBytes, 4 * kb);
  const foldReads = queryUnits(minutesRead) + queryUnits(hoursRead);
  const roundSeconds = liveRollupTiming.roundMs / 1000;
  const foldSeconds = liveRollupTiming.hourFoldMs / 1000;
  // Slower than the folds: every reading's hour is due, so it rolls up at once, three Puts and the two Queries.
  const atOnce = intervalSeconds >= foldSeconds;
  const readingsPerFold = foldSeconds / intervalSeconds;
  const roundsPerFold = foldSeconds / Math.max(roundSeconds, intervalSeconds);
  const rollupUnitsPerReading = atOnce
    ? rollupLevels.length * put
    : (roundsPerFold * (put + foldMarkUnits) + 2 * put + foldMarkUnits) / readingsPerFold;
  const rollupReadUnitsPerReading = atOnce ? foldReads : foldReads / readingsPerFold;

  const rawBytesPerReading = reading + (items * (windowKeyBytes + 100)) / perWindow;
  return {
    readingsPerDeviceFlush: perFlush,
    telemetryUnitsPerReading,
    latestUnitsPerReading,
    rollupUnitsPerReading,
    rollupReadUnitsPerReading,
    rawBytesPerReading,
    rollupItemStoredBytes: rollupBytes + 100,
  };
}
