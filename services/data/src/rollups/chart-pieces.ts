/**
 * Reads the pieces of a chart's range (range-plan.ts) all at once — the raw edges, the rollup
 * buckets — and folds them into the downsampler in time order afterwards, so the answer is the one
 * a piece-by-piece read gives (sums are added in the same order) in the time of the slowest piece.
 */
import type { StoredReading } from '@fleet/core';
import type { Downsampler } from '../downsample.ts';
import type { TelemetryStore } from '../telemetry-store.ts';
import type { RangePiece } from './range-plan.ts';
import type { RollupReader } from './rollup-reader.ts';

export interface ChartSources {
  readonly telemetry: Pick<TelemetryStore, 'query'>;
  readonly rollups?: RollupReader;
}

type Fold = (downsampler: Downsampler) => void;

async function readPiece(sources: ChartSources, deviceId: string, piece: RangePiece): Promise<Fold> {
  if (piece.source === 'raw') {
    const readings: StoredReading[] = [];
    for await (const reading of sources.telemetry.query({ deviceId, from: piece.from, to: piece.to })) readings.push(reading);
    return (d) => readings.forEach((r) => d.add(r));
  }
  const buckets = sources.rollups ? await sources.rollups.buckets(deviceId, piece.source, piece.firstStart, piece.lastStart) : [];
  return (d) => {
    for (const b of buckets) d.addBucket(b.start, b.aggregate.metrics);
  };
}

/** Reads `pieces` of `deviceId` concurrently and folds them into `downsampler` in the pieces' order. */
export async function foldPieces(
  sources: ChartSources,
  deviceId: string,
  pieces: readonly RangePiece[],
  downsampler: Downsampler,
): Promise<void> {
  const reads = pieces.map((piece) => readPiece(sources, deviceId, piece));
  // Each is awaited in turn below; a later failure must not go unhandled meanwhile.
  reads.forEach((read) => read.catch(() => undefined));
  for (const read of reads) (await read)(downsampler);
}
