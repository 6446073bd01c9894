/**
 * CloudWatch Logs storage: every log stream is a JSON-lines file (one event per line) under
 * `<dataDir>/logs/`, with an index of groups and streams beside it. Events are also held in
 * memory for reads. Each group is bounded: past `maxGroupBytes` (counted as AWS counts event
 * size, UTF-8 message bytes + 26) its oldest events are dropped and the affected files rewritten;
 * retention policies drop events older than the retention the same way.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { readJsonFile, writeFileAtomically } from '../durable-files/atomic-file.ts';

export interface LogEvent {
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
}

export interface LogStream {
  readonly name: string;
  readonly creationTime: number;
  readonly file: string;
  /** Sequence number of `events[0]`; read tokens are sequence numbers, stable across trimming. */
  baseSeq: number;
  events: LogEvent[];
  bytes: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  /** Serialises the file writes of this stream. */
  io: Promise<void>;
}

export interface LogGroup {
  readonly name: string;
  readonly creationTime: number;
  readonly dir: string;
  retentionInDays?: number;
  readonly streams: Map<string, LogStream>;
}

interface IndexDocument {
  readonly version: 1;
  readonly groups: {
    name: string;
    creationTime: number;
    dir: string;
    retentionInDays?: number;
    streams: {
      name: string;
      creationTime: number;
      file: string;
      baseSeq: number;
      firstEventTimestamp?: number;
      lastEventTimestamp?: number;
      lastIngestionTime?: number;
    }[];
  }[];
}

export interface LogStore {
  group(name: string): LogGroup | undefined;
  groups(): LogGroup[];
  createGroup(name: string, now: number): Promise<void>;
  deleteGroup(name: string): Promise<void>;
  setRetention(name: string, days: number | undefined): Promise<void>;
  createStream(group: LogGroup, name: string, now: number): Promise<LogStream>;
  deleteStream(group: LogGroup, name: string): Promise<void>;
  /** Appends events (already validated) to the stream's memory and file. */
  append(group: LogGroup, stream: LogStream, events: readonly LogEvent[]): Promise<void>;
  /** Drops events past their group's retention. */
  applyRetention(now: number): void;
  groupBytes(group: LogGroup): number;
  close(): Promise<void>;
}

/** The size CloudWatch Logs counts for one event. */
export const eventSize = (message: string) => Buffer.byteLength(message, 'utf8') + 26;

const hashName = (name: string) => createHash('sha256').update(name).digest('hex').slice(0, 24);

export async function openLogStore(options: { dir: string; maxGroupBytes: number; log: Logger }): Promise<LogStore> {
  const { dir, maxGroupBytes, log } = options;
  const indexFile = join(dir, 'index.json');
  await mkdir(dir, { recursive: true });
  const groups = new Map<string, LogGroup>();

  const doc = await readJsonFile<IndexDocument>(indexFile, 'a document written by the CloudWatch stand-in');
  for (const g of doc?.groups ?? []) {
    const group: LogGroup = {
      name: g.name,
      creationTime: g.creationTime,
      dir: g.dir,
      retentionInDays: g.retentionInDays,
      streams: new Map(),
    };
    for (const s of g.streams) {
      const events = await readEvents(join(dir, g.dir, s.file), log);
      group.streams.set(s.name, {
        name: s.name,
        creationTime: s.creationTime,
        file: s.file,
        baseSeq: s.baseSeq,
        events,
        bytes: events.reduce((n, e) => n + eventSize(e.message), 0),
        firstEventTimestamp: s.firstEventTimestamp,
        lastEventTimestamp: s.lastEventTimestamp,
        lastIngestionTime: s.lastIngestionTime,
        io: Promise.resolve(),
      });
    }
    groups.set(g.name, group);
  }

  let indexDirty = false;
  let indexWriting: Promise<void> | undefined;
  function saveIndex(): Promise<void> {
    indexDirty = true;
    indexWriting ??= (async () => {
      try {
        while (indexDirty) {
          indexDirty = false;
          await writeFileAtomically(indexFile, JSON.stringify(indexDocument()));
        }
      } finally {
        indexWriting = undefined;
      }
    })();
    return indexWriting;
  }

  function indexDocument(): IndexDocument {
    return {
      version: 1,
      groups: [...groups.values()].map((g) => ({
        name: g.name,
        creationTime: g.creationTime,
        dir: g.dir,
        retentionInDays: g.retentionInDays,
        streams: [...g.streams.values()].map((s) => ({
          name: s.name,
          creationTime: s.creationTime,
          file: s.file,
          baseSeq: s.baseSeq,
          firstEventTimestamp: s.firstEventTimestamp,
          lastEventTimestamp: s.lastEventTimestamp,
          lastIngestionTime: s.lastIngestionTime,
        })),
      })),
    };
  }

  const streamPath = (group: LogGroup, stream: LogStream) => join(dir, group.dir, stream.file);

  /** Drops the first `count` events of a stream and rewrites its file after pending appends. */
  function dropOldest(group: LogGroup, stream: LogStream, count: number): void {
    if (count <= 0) return;
    const dropped = stream.events.splice(0, count);
    stream.baseSeq += dropped.length;
    stream.bytes -= dropped.reduce((n, e) => n + eventSize(e.message), 0);
    const file = streamPath(group, stream);
    stream.io = stream.io
      .then(() => writeJsonLines(file, stream.events))
      .catch((err: unknown) => log.error({ err, file }, 'could not rewrite a log stream file'));
  }

  function trimGroup(group: LogGroup): void {
    let total = store.groupBytes(group);
    if (total <= maxGroupBytes) return;
    // Trim to 80% so a steady writer does not rewrite files on every append.
    const target = maxGroupBytes * 0.8;
    const drops = new Map<LogStream, number>();
    const heads = new Map<LogStream, number>([...group.streams.values()].map((s) => [s, 0]));
    while (total > target) {
      let oldest: LogStream | undefined;
      for (const [s, i] of heads) {
        const e = s.events[i];
        if (e && (!oldest || e.ingestionTime < (oldest.events[heads.get(oldest) ?? 0]?.ingestionTime ?? Infinity))) oldest = s;
      }
      if (!oldest) break;
      const i = heads.get(oldest) ?? 0;
      total -= eventSize(oldest.events[i]?.message ?? '');
      heads.set(oldest, i + 1);
      drops.set(oldest, i + 1);
    }
    for (const [s, n] of drops) dropOldest(group, s, n);
    void saveIndex().catch((err: unknown) => log.error({ err }, 'could not save the log index'));
  }

  const store: LogStore = {
    group: (name) => groups.get(name),
    groups: () => [...groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),

    async createGroup(name, now) {
      const group: LogGroup = { name, creationTime: now, dir: `g-${hashName(name)}-${now.toString(36)}`, streams: new Map() };
      groups.set(name, group);
      await mkdir(join(dir, group.dir), { recursive: true });
      await saveIndex();
    },

    async deleteGroup(name) {
      const group = groups.get(name);
      if (!group) return;
      groups.delete(name);
      await Promise.all([...group.streams.values()].map((s) => s.io));
      await saveIndex();
      await rm(join(dir, group.dir), { recursive: true, force: true });
    },

    async setRetention(name, days) {
      const group = groups.get(name);
      if (!group) return;
      group.retentionInDays = days;
      await saveIndex();
    },

    async createStream(group, name, now) {
      const stream: LogStream = {
        name,
        creationTime: now,
        file: `${hashName(name)}.jsonl`,
        baseSeq: 0,
        events: [],
        bytes: 0,
        io: Promise.resolve(),
      };
      group.streams.set(name, stream);
      await saveIndex();
      return stream;
    },

    async deleteStream(group, name) {
      const stream = group.streams.get(name);
      if (!stream) return;
      group.streams.delete(name);
      await stream.io;
      await saveIndex();
      await rm(streamPath(group, stream), { force: true });
    },

    async append(group, stream, events) {
      if (events.length === 0) return;
      for (const e of events) {
        stream.events.push(e);
        stream.bytes += eventSize(e.message);
        stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp ?? e.timestamp, e.timestamp);
        stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? e.timestamp, e.timestamp);
        stream.lastIngestionTime = e.ingestionTime;
      }
      const file = streamPath(group, stream);
      const text = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
      const write = stream.io.then(() => appendFile(file, text, 'utf8'));
      stream.io = write.catch((err: unknown) => log.error({ err, file }, 'could not append to a log stream file'));
      await write;
      trimGroup(group);
    },

    applyRetention(now) {
      for (const group of groups.values()) {
        if (group.retentionInDays === undefined) continue;
        const oldest = now - group.retentionInDays * 24 * 3600_000;
        for (const stream of group.streams.values()) {
          const expired = stream.events.findIndex((e) => e.timestamp >= oldest);
          dropOldest(group, stream, expired < 0 ? stream.events.length : expired);
        }
      }
    },

    groupBytes: (group) => [...group.streams.values()].reduce((n, s) => n + s.bytes, 0),

    async close() {
      for (const group of groups.values()) await Promise.all([...group.streams.values()].map((s) => s.io));
      await saveIndex();
    },
  };
  return store;
}

async function readEvents(file: string, log: Logger): Promise<LogEvent[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const events: LogEvent[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      events.push(JSON.parse(line) as LogEvent);
    } catch {
      // A crash in the middle of an append leaves a torn last line: skip it.
      log.warn({ file }, 'skipped an unreadable line in a log stream file');
    }
  }
  return events;
}

async function writeJsonLines(file: string, events: readonly LogEvent[]): Promise<void> {
  await writeFileAtomically(file, events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : ''));
}
