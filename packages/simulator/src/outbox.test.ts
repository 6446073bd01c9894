import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { openOutbox, type Outbox } from './outbox.ts';

const folders: string[] = [];
const outboxFile = () => {
  const folder = mkdtempSync(join(tmpdir(), 'outbox-'));
  folders.push(folder);
  return join(folder, 'sim-0001', 'outbox.jsonl');
};
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const reading = (seq: number) => ({ ts: 1_700_000_000_000 + seq * 1000, seq, temperature: 20 + seq / 10 });
const drain = (outbox: Outbox) => {
  const seqs: number[] = [];
  for (let e = outbox.take(); e; e = outbox.take()) {
    seqs.push(e.reading.seq);
    outbox.ack(e.id);
  }
  return seqs;
};

describe('device outbox', () => {
  it('gives readings back oldest first, and keeps them across a reopen with their ts and values', () => {
    const file = outboxFile();
    const first = openOutbox(file, { maxBuffered: 100 });
    for (let seq = 1; seq <= 5; seq++) first.add(reading(seq));
    first.close();

    const again = openOutbox(file, { maxBuffered: 100 });
    expect(again.size).toBe(5);
    const taken = again.take();
    expect(taken?.reading).toEqual(reading(1));
    again.release(taken!.id);
    expect(drain(again)).toEqual([1, 2, 3, 4, 5]);
    again.close();
  });

  it('never gives back a reading once acknowledged, after a reopen either', () => {
    const file = outboxFile();
    const first = openOutbox(file, { maxBuffered: 100 });
    for (let seq = 1; seq <= 4; seq++) first.add(reading(seq));
    const one = first.take()!;
    const two = first.take()!;
    first.ack(two.id);
    // Acknowledgements arrive in any order; a repeated one changes nothing.
    first.ack(two.id);
    first.release(one.id);
    first.close();

    const again = openOutbox(file, { maxBuffered: 100 });
    expect(drain(again)).toEqual([1, 3, 4]);
    again.close();
    const last = openOutbox(file, { maxBuffered: 100 });
    expect(last.size).toBe(0);
    last.close();
  });

  it('keeps what a process killed mid-write had written, ignoring the torn last line', () => {
    const file = outboxFile();
    const first = openOutbox(file, { maxBuffered: 100 });
    for (let seq = 1; seq <= 3; seq++) first.add(reading(seq));
    first.ack(first.take()!.id);
    // No close: the process died; then a half-written line.
    appendFileSync(file, '{"id":4,"reading":{"ts":17');
    const again = openOutbox(file, { maxBuffered: 100 });
    expect(drain(again)).toEqual([2, 3]);
    again.close();
    first.close();
  });

  it('drops the oldest waiting reading past the bound, never one being sent, and counts each drop', () => {
    const file = outboxFile();
    const outbox = openOutbox(file, { maxBuffered: 3 });
    outbox.add(reading(1));
    const sending = outbox.take()!;
    outbox.add(reading(2));
    outbox.add(reading(3));
    expect(outbox.add(reading(4)).dropped.map((e) => e.reading.seq)).toEqual([2]);
    expect(outbox.add(reading(5)).dropped.map((e) => e.reading.seq)).toEqual([3]);
    expect(outbox.size).toBe(3);
    outbox.ack(sending.id);
    expect(drain(outbox)).toEqual([4, 5]);
    outbox.close();
  });

  it('rewrites its file once acknowledged lines outnumber the backlog, keeping the backlog', () => {
    const file = outboxFile();
    const outbox = openOutbox(file, { maxBuffered: 100_000 });
    for (let seq = 1; seq <= 6000; seq++) outbox.add(reading(seq));
    for (let i = 0; i < 5000; i++) outbox.ack(outbox.take()!.id);
    const lines = readFileSync(file, 'utf8').trim().split('\n').length;
    expect(lines).toBeLessThan(6000);
    outbox.close();
    const again = openOutbox(file, { maxBuffered: 100_000 });
    expect(drain(again)).toEqual(Array.from({ length: 1000 }, (_, i) => 5001 + i));
    again.close();
  });

  it('without a file keeps readings in memory alone, with the same order and bound', () => {
    const outbox = openOutbox(undefined, { maxBuffered: 2 });
    outbox.add(reading(1));
    outbox.add(reading(2));
    expect(outbox.add(reading(3)).dropped.map((e) => e.reading.seq)).toEqual([1]);
    expect(drain(outbox)).toEqual([2, 3]);
    outbox.close();
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => openOutbox(outboxFile(), { maxBuffered: 0 })).toThrow(/maxBuffered must be a positive integer, received 0/);
  });
});

type Step =
  | { readonly kind: 'produce' }
  | { readonly kind: 'send' }
  | { readonly kind: 'ack'; readonly pick: number }
  | { readonly kind: 'fail'; readonly pick: number }
  | { readonly kind: 'crash' }
  | { readonly kind: 'reopen' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'produce' as const }), weight: 6 },
  { arbitrary: fc.constant({ kind: 'send' as const }), weight: 4 },
  { arbitrary: fc.nat().map((pick) => ({ kind: 'ack' as const, pick })), weight: 4 },
  { arbitrary: fc.nat().map((pick) => ({ kind: 'fail' as const, pick })), weight: 1 },
  { arbitrary: fc.constant({ kind: 'crash' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'reopen' as const }), weight: 1 },
);

describe('device outbox, any interleaving', () => {
  it('keeps acknowledged ∪ buffered ∪ dropped = produced, with no reading in two of them', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), fc.integer({ min: 1, max: 8 }), (steps, maxBuffered) => {
        const file = outboxFile();
        let outbox = openOutbox(file, { maxBuffered });
        const open: Outbox[] = [outbox];
        let produced = 0;
        const acknowledged: number[] = [];
        const dropped: number[] = [];
        let sending: number[] = [];
        const seqOf = new Map<number, number>();
        for (const s of steps) {
          switch (s.kind) {
            case 'produce': {
              const { entry, dropped: gone } = outbox.add(reading(++produced));
              seqOf.set(entry.id, entry.reading.seq);
              dropped.push(...gone.map((e) => e.reading.seq));
              break;
            }
            case 'send': {
              const entry = outbox.take();
              if (entry) sending.push(entry.id);
              break;
            }
            case 'ack':
            case 'fail': {
              if (sending.length === 0) break;
              const [id] = sending.splice(s.pick % sending.length, 1);
              if (s.kind === 'ack') {
                outbox.ack(id!);
                acknowledged.push(seqOf.get(id!)!);
              } else outbox.release(id!);
              break;
            }
            case 'crash':
            case 'reopen':
              // A crash leaves the old file handle unflushed and unclosed; a reopen closes it first.
              if (s.kind === 'reopen') open.pop()!.close();
              outbox = openOutbox(file, { maxBuffered });
              open.push(outbox);
              // The process that was sending is gone: nothing is in flight any more.
              sending = [];
              break;
          }
          expect(outbox.size).toBeLessThanOrEqual(maxBuffered);
          expect(outbox.size).toBe(produced - acknowledged.length - dropped.length);
        }
        for (const o of open) o.close();
        const reopened = openOutbox(file, { maxBuffered });
        const buffered = drain(reopened);
        reopened.close();
        const all = [...acknowledged, ...buffered, ...dropped].sort((a, b) => a - b);
        expect(all).toEqual(Array.from({ length: produced }, (_, i) => i + 1));
      }),
      { numRuns: 150 },
    );
  });
});
