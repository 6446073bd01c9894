/**
 * CloudWatch Logs operations (AWS JSON 1.1, `Logs_20140328.<Op>`): log groups, retention, log
 * streams, PutLogEvents, GetLogEvents and FilterLogEvents, with the validation and error codes
 * of the CloudWatch Logs API reference (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/).
 */
import type { JsonOperation } from '../aws-endpoint/index.ts';
import { logsError } from './cloudwatch-errors.ts';
import { compileFilterPattern } from './filter-pattern.ts';
import { eventSize, type LogEvent, type LogGroup, type LogStore, type LogStream } from './log-store.ts';
import { requestFields, type Input } from '../aws-endpoint/index.ts';

const invalid = (message: string) => logsError('InvalidParameterException', message);
const read = requestFields({
  invalid,
  missing: (name) => invalid(`1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`),
});

/** Values PutRetentionPolicy accepts (API reference, retentionInDays). */
export const retentionDays: ReadonlySet<number> = new Set([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);
const maxBatchBytes = 1_048_576;
const maxBatchEvents = 10_000;
const maxBatchSpanMs = 24 * 3600_000;
const tooOldMs = 14 * 24 * 3600_000;
const tooNewMs = 2 * 3600_000;
const maxResponseBytes = 1_048_576;

export interface LogOperationsDeps {
  readonly store: LogStore;
  readonly clock: () => number;
  readonly region: string;
  readonly accountId: string;
}

export const groupNotFound = () => logsError('ResourceNotFoundException', 'The specified log group does not exist.');
const streamNotFound = () => logsError('ResourceNotFoundException', 'The specified log stream does not exist.');

export function validateLogGroupName(name: string): void {
  if (name.length < 1 || name.length > 512 || !/^[.\-_/#A-Za-z0-9]+$/.test(name)) {
    throw invalid(
      `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
    );
  }
}

export function validateLogStreamName(name: string): void {
  if (name.length < 1 || name.length > 512 || /[:*]/.test(name)) {
    throw invalid(
      `1 validation error detected: Value '${name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`,
    );
  }
}

/** `logGroupName`, or `logGroupIdentifier` (a name or an ARN) where the API allows it. */
function groupNameOf(input: Input): string {
  const name = read.string(input, 'logGroupName');
  const identifier = read.string(input, 'logGroupIdentifier');
  if (name !== undefined && identifier !== undefined) throw invalid('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  const value = name ?? identifier;
  if (value === undefined) throw invalid('Should provide either a LogGroup name or a LogGroup ARN.');
  const arn = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(:\*)?$/.exec(value);
  return arn?.[1] ?? value;
}

function readLimit(input: Input, max: number): number {
  const limit = read.number(input, 'limit') ?? max;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw invalid(
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${max}`,
    );
  }
  return limit;
}

function readOffset(input: Input): number {
  const token = read.string(input, 'nextToken');
  if (token === undefined) return 0;
  const offset = Number.parseInt(token, 10);
  if (String(offset) !== token || offset < 0) throw invalid('The specified nextToken is invalid.');
  return offset;
}

/** One page of `items` by the request's `limit` (at most `maxLimit`) and `nextToken` (an offset): how the Describe… operations page. */
function pageOf<T>(input: Input, items: readonly T[], maxLimit: number): { page: readonly T[]; nextToken: string | undefined } {
  const limit = readLimit(input, maxLimit);
  const offset = readOffset(input);
  const end = offset + limit;
  return { page: items.slice(offset, end), nextToken: end < items.length ? String(end) : undefined };
}

const formatToken = (direction: 'f' | 'b', seq: number) => `${direction}/${String(seq).padStart(56, '0')}`;

function parseToken(token: string): { direction: 'f' | 'b'; seq: number } {
  const m = /^([fb])\/(\d+)$/.exec(token);
  if (!m) throw invalid('The specified nextToken is invalid.');
  return { direction: m[1] as 'f' | 'b', seq: Number(m[2]) };
}

export function logOperations(deps: LogOperationsDeps): Record<string, JsonOperation> {
  const { store, clock } = deps;
  const groupArn = (name: string) => `arn:aws:logs:${deps.region}:${deps.accountId}:log-group:${name}`;

  function requireGroup(name: string): LogGroup {
    const group = store.group(name);
    if (!group) throw groupNotFound();
    return group;
  }

  function requireStream(group: LogGroup, name: string): LogStream {
    const stream = group.streams.get(name);
    if (!stream) throw streamNotFound();
    return stream;
  }

  return {
    async CreateLogGroup(input) {
      const name = read.requiredString(input, 'logGroupName');
      validateLogGroupName(name);
      if (store.group(name)) throw logsError('ResourceAlreadyExistsException', 'The specified log group already exists');
      await store.createGroup(name, clock());
      return {};
    },

    async DeleteLogGroup(input) {
      const name = read.requiredString(input, 'logGroupName');
      requireGroup(name);
      await store.deleteGroup(name);
      return {};
    },

    async DescribeLogGroups(input) {
      const prefix = read.string(input, 'logGroupNamePrefix');
      const pattern = read.string(input, 'logGroupNamePattern');
      if (prefix !== undefined && pattern !== undefined)
        throw invalid('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
      const matching = store
        .groups()
        .filter(
          (g) =>
            (prefix === undefined || g.name.startsWith(prefix)) &&
            (pattern === undefined || g.name.toLowerCase().includes(pattern.toLowerCase())),
        );
      const { page, nextToken } = pageOf(input, matching, 50);
      return {
        logGroups: page.map((g) => ({
          logGroupName: g.name,
          creationTime: g.creationTime,
          retentionInDays: g.retentionInDays,
          metricFilterCount: 0,
          arn: `${groupArn(g.name)}:*`,
          logGroupArn: groupArn(g.name),
          storedBytes: store.groupBytes(g),
          logGroupClass: 'STANDARD',
        })),
        nextToken,
      };
    },

    async PutRetentionPolicy(input) {
      const name = read.requiredString(input, 'logGroupName');
      const days = read.requiredNumber(input, 'retentionInDays');
      if (!retentionDays.has(days)) {
        throw invalid(
          `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${[...retentionDays].join(', ')}]`,
        );
      }
      requireGroup(name);
      await store.setRetention(name, days);
      store.applyRetention(clock());
      return {};
    },

    async DeleteRetentionPolicy(input) {
      const name = read.requiredString(input, 'logGroupName');
      requireGroup(name);
      await store.setRetention(name, undefined);
      return {};
    },

    async CreateLogStream(input) {
      const group = requireGroup(read.requiredString(input, 'logGroupName'));
      const name = read.requiredString(input, 'logStreamName');
      validateLogStreamName(name);
      if (group.streams.has(name)) throw logsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
      await store.createStream(group, name, clock());
      return {};
    },

    async DeleteLogStream(input) {
      const group = requireGroup(read.requiredString(input, 'logGroupName'));
      const name = read.requiredString(input, 'logStreamName');
      requireStream(group, name);
      await store.deleteStream(group, name);
      return {};
    },

    async DescribeLogStreams(input) {
      const group = requireGroup(groupNameOf(input));
      const prefix = read.string(input, 'logStreamNamePrefix');
      const orderBy = read.string(input, 'orderBy') ?? 'LogStreamName';
      if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime')
        throw invalid(
          `Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`,
        );
      if (orderBy === 'LastEventTime' && prefix !== undefined) throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
      const descending = read.boolean(input, 'descending') ?? false;
      const streams = [...group.streams.values()].filter((s) => prefix === undefined || s.name.startsWith(prefix));
      streams.sort((a, b) =>
        orderBy === 'LastEventTime'
          ? (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) || cmp(a.name, b.name)
          : cmp(a.name, b.name),
      );
      if (descending) streams.reverse();
      const { page, nextToken } = pageOf(input, streams, 50);
      return {
        logStreams: page.map((s) => ({
          logStreamName: s.name,
          creationTime: s.creationTime,
          firstEventTimestamp: s.firstEventTimestamp,
          lastEventTimestamp: s.lastEventTimestamp,
          lastIngestionTime: s.lastIngestionTime,
          uploadSequenceToken: String(s.baseSeq + s.events.length),
          arn: `${groupArn(group.name)}:log-stream:${s.name}`,
          storedBytes: s.bytes,
        })),
        nextToken,
      };
    },

    async PutLogEvents(input) {
      const groupName = read.requiredString(input, 'logGroupName');
      const streamName = read.requiredString(input, 'logStreamName');
      const events = read.structures(read.list(input, 'logEvents'), 'logEvents').map((e, i) => {
        const timestamp = read.requiredNumber(e, 'timestamp');
        const message = read.requiredString(e, 'message');
        if (!Number.isInteger(timestamp) || timestamp < 0)
          throw invalid(`logEvents.${i + 1}.timestamp must be a non-negative integer (epoch milliseconds)`);
        return { timestamp, message };
      });
      if (events.length === 0)
        throw invalid(
          "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      if (events.length > maxBatchEvents)
        throw invalid(
          `1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to ${maxBatchEvents}`,
        );
      const group = requireGroup(groupName);
      const stream = requireStream(group, streamName);
      // "The log events in the batch must be in chronological order by their timestamp."
      for (let i = 1; i < events.length; i++) {
        if ((events[i]?.timestamp ?? 0) < (events[i - 1]?.timestamp ?? 0)) {
          throw invalid('Log events in a single PutLogEvents request must be in chronological order.');
        }
      }
      if ((events.at(-1)?.timestamp ?? 0) - (events[0]?.timestamp ?? 0) > maxBatchSpanMs) {
        throw invalid('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
      }
      const bytes = events.reduce((n, e) => n + eventSize(e.message), 0);
      if (bytes > maxBatchBytes) throw invalid(`Upload too large: ${bytes} bytes exceeds limit of ${maxBatchBytes}`);

      const now = clock();
      const expiredBefore = group.retentionInDays === undefined ? -Infinity : now - group.retentionInDays * 24 * 3600_000;
      let tooOldEnd = 0;
      let expiredEnd = 0;
      let tooNewStart = events.length;
      events.forEach((e, i) => {
        if (e.timestamp < now - tooOldMs) tooOldEnd = i + 1;
        else if (e.timestamp < expiredBefore) expiredEnd = i + 1;
        if (e.timestamp > now + tooNewMs && tooNewStart === events.length) tooNewStart = i;
      });
      const acceptedFrom = Math.max(tooOldEnd, expiredEnd);
      const accepted: LogEvent[] = events.slice(acceptedFrom, tooNewStart).map((e) => ({ ...e, ingestionTime: now }));
      await store.append(group, stream, accepted);
      const rejected = {
        ...(tooOldEnd > 0 ? { tooOldLogEventEndIndex: tooOldEnd } : {}),
        ...(expiredEnd > 0 ? { expiredLogEventEndIndex: expiredEnd } : {}),
        ...(tooNewStart < events.length ? { tooNewLogEventStartIndex: tooNewStart } : {}),
      };
      return {
        nextSequenceToken: String(stream.baseSeq + stream.events.length).padStart(56, '0'),
        ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}),
      };
    },

    async GetLogEvents(input) {
      const group = requireGroup(groupNameOf(input));
      const stream = requireStream(group, read.requiredString(input, 'logStreamName'));
      const start = read.number(input, 'startTime');
      const end = read.number(input, 'endTime');
      const limit = readLimit(input, 10_000);
      const token = read.string(input, 'nextToken');
      const startFromHead = read.boolean(input, 'startFromHead') ?? false;
      const inRange = (e: LogEvent) => (start === undefined || e.timestamp >= start) && (end === undefined || e.timestamp < end);
      const base = stream.baseSeq;
      const count = stream.events.length;
      const position = token
        ? parseToken(token)
        : { direction: startFromHead ? ('f' as const) : ('b' as const), seq: startFromHead ? base : base + count };
      const picked: number[] = [];
      let size = 0;
      if (position.direction === 'f') {
        for (let i = Math.max(0, position.seq - base); i < count && picked.length < limit; i++) {
          const e = stream.events[i];
          if (!e || !inRange(e)) continue;
          size += eventSize(e.message);
          if (size > maxResponseBytes && picked.length > 0) break;
          picked.push(i);
        }
      } else {
        for (let i = Math.min(count, position.seq - base) - 1; i >= 0 && picked.length < limit; i--) {
          const e = stream.events[i];
          if (!e || !inRange(e)) continue;
          size += eventSize(e.message);
          if (size > maxResponseBytes && picked.length > 0) break;
          picked.push(i);
        }
        picked.reverse();
      }
      const first = picked[0];
      const last = picked.at(-1);
      return {
        events: picked.map((i) => {
          const e = stream.events[i] as LogEvent;
          return { timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime };
        }),
        // With nothing new, AWS hands back the token it was given: that is how readers detect the end.
        nextForwardToken: formatToken('f', last === undefined ? position.seq : base + last + 1),
        nextBackwardToken: formatToken('b', first === undefined ? position.seq : base + first),
      };
    },

    async FilterLogEvents(input) {
      const group = requireGroup(groupNameOf(input));
      const names = read.stringList(input, 'logStreamNames');
      const prefix = read.string(input, 'logStreamNamePrefix');
      if (names && prefix !== undefined) throw invalid('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
      const start = read.number(input, 'startTime');
      const end = read.number(input, 'endTime');
      const limit = readLimit(input, 10_000);
      const filter = compileFilterPattern(read.string(input, 'filterPattern'));
      if (!filter.ok) throw invalid(filter.error);
      const token = read.string(input, 'nextToken');
      let after: [number, string, number] | undefined;
      if (token !== undefined) {
        try {
          after = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [number, string, number];
        } catch {
          throw invalid('The specified nextToken is invalid.');
        }
        if (!Array.isArray(after) || after.length !== 3) throw invalid('The specified nextToken is invalid.');
      }
      const streams = [...group.streams.values()].filter(
        (s) => (!names || names.includes(s.name)) && (prefix === undefined || s.name.startsWith(prefix)),
      );
      const matches: { key: [number, string, number]; stream: LogStream; event: LogEvent }[] = [];
      for (const stream of streams) {
        stream.events.forEach((event, i) => {
          if ((start !== undefined && event.timestamp < start) || (end !== undefined && event.timestamp > end)) return;
          const key: [number, string, number] = [event.timestamp, stream.name, stream.baseSeq + i];
          if (after && compareKeys(key, after) <= 0) return;
          if (filter.match(event.message)) matches.push({ key, stream, event });
        });
      }
      matches.sort((a, b) => compareKeys(a.key, b.key));
      const page = matches.slice(0, limit);
      const lastKey = page.at(-1)?.key;
      return {
        events: page.map((m) => ({
          logStreamName: m.stream.name,
          timestamp: m.event.timestamp,
          message: m.event.message,
          ingestionTime: m.event.ingestionTime,
          eventId: `${m.stream.file.slice(0, 8)}${String(m.key[2]).padStart(20, '0')}`,
        })),
        searchedLogStreams: streams.map((s) => ({ logStreamName: s.name, searchedCompletely: true })),
        nextToken: matches.length > limit && lastKey ? Buffer.from(JSON.stringify(lastKey)).toString('base64url') : undefined,
      };
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeys(a: readonly [number, string, number], b: readonly [number, string, number]): number {
  return a[0] - b[0] || cmp(a[1], b[1]) || a[2] - b[2];
}
