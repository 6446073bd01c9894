/**
 * An append-only journal of JSON lines, one line per committed change. `append` writes the line at
 * once (the registry's operations are synchronous); `durable()` resolves once an fdatasync has
 * covered it. The fdatasync runs in libuv's thread pool and covers every line written before it
 * started, so the operations answered together share one (group commit): a 10,000-row device import
 * made ≈ 6 changes a row, and one blocking fdatasync per change (1.6 ms each under load) was a third
 * of the local cloud's CPU time (bench/README.md). A crash can leave only the last line torn (no
 * newline): it was never acknowledged, so replay drops it and the file is cut back to its last whole
 * line before the next append. A line written but not yet synced may be lost by a crash: its
 * operation had not answered either.
 */
import { closeSync, existsSync, fdatasync, fdatasyncSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RegistryJournal {
  /** The committed lines' values, oldest first. */
  replay(): unknown[];
  /** Writes one line holding `value`; it is durable once `durable()` resolves. */
  append(value: unknown): void;
  /** Resolves once every line appended so far is on disk; rejects when the fdatasync covering one failed. */
  durable(): Promise<void>;
  /** The journal's size in bytes. */
  bytes(): number;
  /** Empties the journal, durably (its content is in a snapshot now). */
  truncate(): void;
}

export interface RegistryJournalOptions {
  /** Node's `fs.fdatasync` unless a test counts the calls or makes one fail. */
  readonly fdatasync?: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;
}

export function openRegistryJournal(file: string, options: RegistryJournalOptions = {}): RegistryJournal {
  const syncData = options.fdatasync ?? fdatasync;
  let fd: number | undefined;
  let size = 0;
  /** Lines appended, and how many of them an fdatasync has covered. */
  let appended = 0;
  let synced = 0;
  let syncing = false;
  const waiters: { readonly upTo: number; readonly resolve: () => void; readonly reject: (err: Error) => void }[] = [];
  const opened = (): number => {
    if (fd !== undefined) return fd;
    const creating = !existsSync(file);
    fd = openSync(file, 'a+', 0o600);
    // A new file's name is durable only once its folder is fsync'ed (as atomic-file.ts does for a rename).
    if (creating) syncFolder(dirname(file));
    return fd;
  };
  /** One fdatasync at a time, covering every line written when it starts; the next one starts when it ends, if anyone waits. */
  const syncNext = (): void => {
    if (syncing || waiters.length === 0) return;
    syncing = true;
    const upTo = appended;
    syncData(opened(), (err) => {
      syncing = false;
      if (!err) synced = Math.max(synced, upTo);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const waiter = waiters[i] as (typeof waiters)[number];
        if (waiter.upTo > upTo) continue;
        waiters.splice(i, 1);
        if (err) waiter.reject(err);
        else waiter.resolve();
      }
      syncNext();
    });
  };
  return {
    replay() {
      const { values, wholeBytes, totalBytes } = parseJournal(file);
      size = wholeBytes;
      if (totalBytes > wholeBytes) {
        ftruncateSync(opened(), wholeBytes);
        fdatasyncSync(opened());
      }
      return values;
    },
    append(value) {
      const line = Buffer.from(`${JSON.stringify(value)}\n`);
      const descriptor = opened();
      // write(2) may write less than asked; the rest follows until the line is whole.
      for (let written = 0; written < line.length;) written += writeSync(descriptor, line, written);
      size += line.length;
      appended += 1;
    },
    durable() {
      if (synced >= appended) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiters.push({ upTo: appended, resolve, reject });
        syncNext();
      });
    },
    bytes: () => size,
    truncate() {
      const descriptor = opened();
      ftruncateSync(descriptor, 0);
      fdatasyncSync(descriptor);
      size = 0;
      // Every line appended so far is in the snapshot the caller has just written durably.
      synced = appended;
      for (const waiter of waiters.splice(0)) waiter.resolve();
    },
  };
}

function syncFolder(folder: string): void {
  const descriptor = openSync(folder, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

function readOrEmpty(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  }
}

/** The values of the whole lines and their length in bytes; a line that is whole but not JSON is corruption, not a crash. */
function parseJournal(file: string): { values: unknown[]; wholeBytes: number; totalBytes: number } {
  const content = readOrEmpty(file);
  const wholeBytes = content.lastIndexOf(0x0a) + 1;
  const lines = content.subarray(0, wholeBytes).toString('utf8').split('\n');
  lines.pop();
  const values = lines.map((line, index) => {
    try {
      return JSON.parse(line) as unknown;
    } catch (err) {
      throw new Error(`${file} line ${index + 1} is not JSON; expected one registry change a line`, { cause: err });
    }
  });
  return { values, wholeBytes, totalBytes: content.length };
}
