/**
 * A device's durable outbox (store-and-forward, as AWS IoT device SDKs' offline queue and
 * ThingsBoard gateway's file storage): a reading enters when it is produced and leaves only when
 * the broker acknowledged it (PUBACK) or, the outbox being full, it is dropped as the oldest.
 *
 * On disk it is one append-only file of JSON lines per device:
 *   {"id":7,"reading":{"ts":…,"seq":…,…}}   a reading entered
 *   {"ack":7}                                 it was acknowledged
 *   {"drop":7}                                it was dropped (the outbox was full)
 * Opening replays the file and rewrites it with the readings still buffered (tmp file, fsync,
 * rename), which also removes a line torn by a crash; while open, the file is rewritten the same
 * way once it holds more finished lines than buffered ones, so it never grows past twice the backlog.
 *
 * Durability: every line is written to the operating system (`writeSync`) before `add` or `ack`
 * returns, so a `kill -9` of the simulator loses nothing; the file is flushed to the disk
 * (`fdatasync`) every `syncEveryMs`, so a power cut loses at most that much. A reading acknowledged
 * but not yet recorded when the simulator dies is sent again; the platform stores it once, since it
 * deduplicates on (deviceId, ts, seq).
 */
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** A reading as the device publishes it: device time, its sequence number, and its metrics. */
export interface OutboxReading {
  readonly ts: number;
  readonly seq: number;
  readonly [metric: string]: number;
}

export interface OutboxEntry {
  /** Position in the outbox: entries leave oldest (lowest id) first. */
  readonly id: number;
  readonly reading: OutboxReading;
}

export interface Outbox {
  /** Readings buffered now (waiting to be sent, or sent and not yet acknowledged). */
  readonly size: number;
  /** Adds a reading; when that passes the bound, the oldest not being sent is dropped and returned. */
  add(reading: OutboxReading): { entry: OutboxEntry; dropped: OutboxEntry[] };
  /** The oldest reading not being sent, now marked as being sent; undefined when there is none. */
  take(): OutboxEntry | undefined;
  /** A send failed (the connection closed): the reading keeps its place and is taken again. */
  release(id: number): void;
  /** The broker acknowledged it: it leaves the outbox for good. False when it had left already (a repeated PUBACK). */
  ack(id: number): boolean;
  /** IoT Core refused it for good (HTTPS 403): it leaves the outbox as a dropped reading. False when it had left already. */
  drop(id: number): boolean;
  /** Flushes to the disk and closes the file (nothing on disk changes: what is buffered stays). */
  close(): void;
}

export interface OutboxOptions {
  /** Readings kept at most; the oldest is dropped past it. */
  readonly maxBuffered: number;
  /** How often the file is flushed to the disk. @default 1000 */
  readonly syncEveryMs?: number;
}

/** Finished lines tolerated before a rewrite, however small the backlog. */
const minLinesBeforeCompaction = 4096;

/**
 * Opens (creating it) the outbox kept in `file`; without a file, an outbox in memory alone
 * (`--no-buffer`: what it holds is lost with the process).
 */
export function openOutbox(file: string | undefined, options: OutboxOptions): Outbox {
  if (!Number.isSafeInteger(options.maxBuffered) || options.maxBuffered < 1) {
    throw new Error(`maxBuffered must be a positive integer, received ${options.maxBuffered}`);
  }
  const entries = file === undefined ? new Map<number, OutboxEntry>() : replay(file);
  const sending = new Set<number>();
  let nextId = 1;
  for (const id of entries.keys()) nextId = Math.max(nextId, id + 1);
  const journal = file === undefined ? undefined : openJournal(file, entries, options.syncEveryMs ?? 1000);

  const finish = (id: number, record: 'ack' | 'drop') => {
    entries.delete(id);
    sending.delete(id);
    journal?.finished(id, record, entries);
  };
  // Ids in the order they entered, from `head` on: readings leave mostly from the front, so a scan
  // from there skips at most the window being sent (a Map walks over every deleted slot again).
  let order = [...entries.keys()];
  let head = 0;
  const oldestNotSending = () => {
    while (head < order.length && !entries.has(order[head]!)) head += 1;
    if (head > 1024 && head > order.length / 2) {
      order = order.slice(head);
      head = 0;
    }
    for (let i = head; i < order.length; i++) {
      const entry = entries.get(order[i]!);
      if (entry && !sending.has(entry.id)) return entry;
    }
    return undefined;
  };

  return {
    get size() {
      return entries.size;
    },
    add(reading) {
      const entry: OutboxEntry = { id: nextId++, reading };
      entries.set(entry.id, entry);
      order.push(entry.id);
      journal?.entered(entry);
      const dropped: OutboxEntry[] = [];
      while (entries.size > options.maxBuffered) {
        // Never the new reading while an older one waits; a reading being sent may still be acknowledged.
        const oldest = oldestNotSending();
        if (!oldest) break;
        finish(oldest.id, 'drop');
        dropped.push(oldest);
      }
      return { entry, dropped };
    },
    take() {
      const entry = oldestNotSending();
      if (entry) sending.add(entry.id);
      return entry;
    },
    release(id) {
      sending.delete(id);
    },
    ack(id) {
      if (!entries.has(id)) return false;
      finish(id, 'ack');
      return true;
    },
    drop(id) {
      if (!entries.has(id)) return false;
      finish(id, 'drop');
      return true;
    },
    close() {
      journal?.close();
    },
  };
}

/** The outbox's file: appended to, flushed on a timer, rewritten when mostly finished lines. */
function openJournal(file: string, entries: ReadonlyMap<number, OutboxEntry>, syncEveryMs: number) {
  mkdirSync(dirname(file), { recursive: true });
  let fd = rewrite(file, entries);
  let finishedLines = 0;
  let dirty = false;
  const timer = setInterval(() => {
    if (dirty) fdatasyncSync(fd);
    dirty = false;
  }, syncEveryMs);
  timer.unref();
  const append = (line: string) => {
    writeSync(fd, `${line}\n`);
    dirty = true;
  };
  return {
    entered(entry: OutboxEntry) {
      append(recordLine(entry));
    },
    /** `live`: the readings still buffered, what a rewrite keeps. */
    finished(id: number, record: 'ack' | 'drop', live: ReadonlyMap<number, OutboxEntry>) {
      append(`{"${record}":${id}}`);
      // This line and its reading's are both dead now.
      finishedLines += 2;
      if (finishedLines > minLinesBeforeCompaction && finishedLines > live.size) {
        closeSync(fd);
        fd = rewrite(file, live);
        finishedLines = 0;
        dirty = false;
      }
    },
    close() {
      clearInterval(timer);
      fdatasyncSync(fd);
      closeSync(fd);
    },
  };
}

const recordLine = (entry: OutboxEntry) => `{"id":${entry.id},"reading":${JSON.stringify(entry.reading)}}`;

/** The readings the file holds still buffered, in the order they entered. */
function replay(file: string): Map<number, OutboxEntry> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new Error(`cannot read the outbox ${file}`, { cause: err });
  }
  const entries = new Map<number, OutboxEntry>();
  for (const line of text.split('\n')) {
    let record: { id?: unknown; reading?: unknown; ack?: unknown; drop?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      // An empty line, or the last one torn by a crash mid-write: it entered nothing.
      continue;
    }
    if (typeof record.ack === 'number') entries.delete(record.ack);
    else if (typeof record.drop === 'number') entries.delete(record.drop);
    else if (typeof record.id === 'number' && isReading(record.reading)) entries.set(record.id, { id: record.id, reading: record.reading });
  }
  return entries;
}

function isReading(value: unknown): value is OutboxReading {
  if (typeof value !== 'object' || value === null) return false;
  const { ts, seq } = value as Record<string, unknown>;
  return typeof ts === 'number' && typeof seq === 'number';
}

/** Writes the buffered readings alone to a new file that replaces `file` atomically; returns it open for appending. */
function rewrite(file: string, entries: ReadonlyMap<number, OutboxEntry>): number {
  const tmp = `${file}.tmp`;
  const out = openSync(tmp, 'w', 0o600);
  const lines = [...entries.values()].map(recordLine);
  // In chunks, so a large backlog does not become one huge string.
  for (let i = 0; i < lines.length; i += 1000) writeSync(out, `${lines.slice(i, i + 1000).join('\n')}\n`);
  fsyncSync(out);
  closeSync(out);
  renameSync(tmp, file);
  // The rename is durable once the folder is flushed.
  const folder = openSync(dirname(file), 'r');
  fsyncSync(folder);
  closeSync(folder);
  return openSync(file, 'a');
}
