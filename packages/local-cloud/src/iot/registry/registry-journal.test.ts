import { fdatasync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegistryJournal } from './registry-journal.ts';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'registry-journal-'));
  file = join(dir, 'registry.json.journal');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A journal whose fdatasyncs are counted, each finishing when the test says (or failing with `failNext`). */
function countedJournal() {
  const pending: (() => void)[] = [];
  let calls = 0;
  let failNext = false;
  const journal = openRegistryJournal(file, {
    fdatasync: (fd, done) => {
      calls += 1;
      const fail = failNext;
      failNext = false;
      pending.push(() => (fail ? done(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })) : fdatasync(fd, done)));
    },
  });
  return {
    journal,
    calls: () => calls,
    failNext: () => void (failNext = true),
    /** Lets the fdatasync in flight finish. */
    finishSync: () => pending.shift()?.(),
  };
}

const settledWithin = async (promise: Promise<unknown>): Promise<boolean> => {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, 20));
  return settled;
};

describe('the registry journal', () => {
  it('covers the changes of the operations made while an fdatasync is in flight with one more (group commit), each durable only after it', async () => {
    const { journal, calls, finishSync } = countedJournal();
    journal.append({ change: 0 });
    const first = journal.durable();
    const waits = Array.from({ length: 49 }, (_, i) => {
      journal.append({ change: i + 1 });
      return journal.durable();
    });
    expect(await settledWithin(first)).toBe(false);
    expect(calls()).toBe(1);
    finishSync();
    await first;
    expect(await settledWithin(Promise.race(waits))).toBe(false);
    expect(calls()).toBe(2);
    finishSync();
    await Promise.all(waits);
    expect(calls()).toBe(2);
    expect(openRegistryJournal(file).replay()).toHaveLength(50);
  });

  it('answers at once when nothing was written since the last fdatasync', async () => {
    const { journal, calls } = countedJournal();
    await journal.durable();
    expect(calls()).toBe(0);
  });

  it('rejects the operations a failed fdatasync covered, and makes later ones durable again', async () => {
    const { journal, failNext, finishSync } = countedJournal();
    failNext();
    journal.append({ change: 1 });
    const failed = journal.durable();
    finishSync();
    await expect(failed).rejects.toThrow(/EIO/);
    journal.append({ change: 2 });
    const next = journal.durable();
    finishSync();
    await next;
  });

  it('answers the waiting operations when the journal is emptied into a snapshot', async () => {
    const { journal } = countedJournal();
    journal.append({ change: 1 });
    const waiting = journal.durable();
    journal.truncate();
    await waiting;
    expect(journal.bytes()).toBe(0);
  });
});
