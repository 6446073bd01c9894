import { describe, expect, it } from 'vitest';
import type { DataServiceReader, StoredReading } from './data-service-reader.ts';
import { countStored, waitForStorage } from './storage-wait.ts';

/** A reader answering fixed raw readings and, for each device, its newest one as the latest item. */
function readerOf(byDevice: Record<string, number[]>): DataServiceReader {
  const readings = (id: string): StoredReading[] => (byDevice[id] ?? []).map((seq) => ({ ts: 1000 + seq, seq, values: { v: seq } }));
  return {
    async latestMany(ids) {
      return ids.map((id) => {
        const newest = readings(id).at(-1);
        return newest && { ...newest, deviceId: id, receivedAt: newest.ts };
      });
    },
    async raw(id) {
      return readings(id);
    },
  };
}

describe('countStored', () => {
  it('counts the run’s distinct readings and, apart, those read back more than once', async () => {
    // Seqs 1–2 are the warm-up; device b has seq 4 twice.
    const reader = readerOf({ a: [1, 2, 3, 4], b: [1, 2, 3, 4, 4, 5] });
    expect(await countStored(reader, ['a', 'b'], 0, 2)).toEqual({ stored: 5, duplicates: 1 });
  });
});

describe('waitForStorage', () => {
  it('answers complete with the duplicates the count found', async () => {
    const reader = readerOf({ a: [3, 4, 4], b: [3, 4] });
    const outcome = await waitForStorage({
      reader,
      deviceIds: ['a', 'b'],
      since: 0,
      warmup: 2,
      finalSeq: 4,
      expected: 4,
      deadline: Date.now() + 5000,
      stallMs: 1000,
      knownLost: () => 0,
      onLoadStored: () => undefined,
    });
    expect(outcome).toMatchObject({ complete: true, stored: 4, duplicates: 1 });
  });
});
