import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { startHarness, type Harness } from '../testing/cloudwatch-harness.ts';

const t0 = Date.UTC(2026, 10, 24, 12, 0, 0);

describe('CloudWatch Logs through @aws-sdk/client-cloudwatch-logs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, t0);
  });
  afterAll(() => h.close());

  it('creates, describes and refuses to re-create log groups', async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/fleet/alerts' }));
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/fleet/services/api' }));
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/other' }));
    await expect(h.logs.send(new CreateLogGroupCommand({ logGroupName: '/fleet/alerts' }))).rejects.toBeInstanceOf(
      ResourceAlreadyExistsException,
    );
    await expect(h.logs.send(new CreateLogGroupCommand({ logGroupName: 'bad:name' }))).rejects.toBeInstanceOf(InvalidParameterException);
    expect(h.requests.at(-1)).toMatchObject({ service: 'logs', target: 'Logs_20140328.CreateLogGroup' });

    const fleet = await h.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/fleet/' }));
    expect(fleet.logGroups?.map((g) => g.logGroupName)).toEqual(['/fleet/alerts', '/fleet/services/api']);
    expect(fleet.logGroups?.[0]).toMatchObject({
      creationTime: t0,
      arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/fleet/alerts:*',
      logGroupArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/fleet/alerts',
      storedBytes: 0,
    });
    const paged = await h.logs.send(new DescribeLogGroupsCommand({ limit: 2 }));
    expect(paged.logGroups).toHaveLength(2);
    const rest = await h.logs.send(new DescribeLogGroupsCommand({ limit: 2, nextToken: paged.nextToken }));
    expect(rest.logGroups?.map((g) => g.logGroupName)).toEqual(['/other']);
    expect(rest.nextToken).toBeUndefined();
  });

  it('sets a retention policy from the allowed values only', async () => {
    await h.logs.send(new PutRetentionPolicyCommand({ logGroupName: '/other', retentionInDays: 7 }));
    const described = await h.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/other' }));
    expect(described.logGroups?.[0]?.retentionInDays).toBe(7);
    await expect(h.logs.send(new PutRetentionPolicyCommand({ logGroupName: '/other', retentionInDays: 8 }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(h.logs.send(new PutRetentionPolicyCommand({ logGroupName: '/missing', retentionInDays: 7 }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('creates and describes log streams', async () => {
    await h.logs.send(new CreateLogStreamCommand({ logGroupName: '/fleet/alerts', logStreamName: 'b-stream' }));
    await h.logs.send(new CreateLogStreamCommand({ logGroupName: '/fleet/alerts', logStreamName: 'a-stream' }));
    await expect(
      h.logs.send(new CreateLogStreamCommand({ logGroupName: '/fleet/alerts', logStreamName: 'a-stream' })),
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(h.logs.send(new CreateLogStreamCommand({ logGroupName: '/nope', logStreamName: 'x' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const streams = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/fleet/alerts' }));
    expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual(['a-stream', 'b-stream']);
    expect(streams.logStreams?.[0]).toMatchObject({
      creationTime: t0,
      arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/fleet/alerts:log-stream:a-stream',
    });
  });

  it('appends events, refusing out-of-order batches and missing groups or streams', async () => {
    const put = (logStreamName: string, logEvents: { timestamp: number; message: string }[], logGroupName = '/fleet/alerts') =>
      h.logs.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents }));
    const result = await put('a-stream', [
      { timestamp: t0 - 3000, message: 'boot ok' },
      { timestamp: t0 - 2000, message: JSON.stringify({ level: 'warn', deviceId: 'd-1', temperature: 81 }) },
      { timestamp: t0 - 2000, message: 'ERROR disk full' },
    ]);
    expect(result.rejectedLogEventsInfo).toBeUndefined();
    await put('b-stream', [
      { timestamp: t0 - 2500, message: 'ERROR sensor offline' },
      { timestamp: t0 - 1000, message: JSON.stringify({ level: 'info', deviceId: 'd-2', temperature: 20 }) },
    ]);

    const outOfOrder = put('a-stream', [
      { timestamp: t0, message: 'later' },
      { timestamp: t0 - 1, message: 'earlier' },
    ]);
    await expect(outOfOrder).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(outOfOrder).rejects.toThrow('Log events in a single PutLogEvents request must be in chronological order.');
    await expect(put('a-stream', [{ timestamp: t0, message: 'x' }], '/nope')).rejects.toThrow('The specified log group does not exist.');
    await expect(put('nope', [{ timestamp: t0, message: 'x' }])).rejects.toBeInstanceOf(ResourceNotFoundException);

    const stream = (await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/fleet/alerts', logStreamNamePrefix: 'a-' })))
      .logStreams?.[0];
    expect(stream).toMatchObject({ firstEventTimestamp: t0 - 3000, lastEventTimestamp: t0 - 2000, lastIngestionTime: t0 });
  });

  it('reports events too old, past retention or too new as rejected, storing the rest', async () => {
    await h.logs.send(new CreateLogStreamCommand({ logGroupName: '/other', logStreamName: 's' }));
    const put = (logEvents: { timestamp: number; message: string }[]) =>
      h.logs.send(new PutLogEventsCommand({ logGroupName: '/other', logStreamName: 's', logEvents }));
    const day = 24 * 3600_000;
    const old = await put([
      { timestamp: t0 - 15 * day, message: 'ancient 1' },
      { timestamp: t0 - 15 * day + 1000, message: 'ancient 2' },
    ]);
    expect(old.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 2 });
    // '/other' keeps 7 days.
    const expired = await put([
      { timestamp: t0 - 7 * day - 3600_000, message: 'expired' },
      { timestamp: t0 - 7 * day + 3600_000, message: 'kept 1' },
    ]);
    expect(expired.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 1 });
    const future = await put([
      { timestamp: t0 + 3600_000, message: 'kept 2' },
      { timestamp: t0 + 3 * 3600_000, message: 'too new' },
    ]);
    expect(future.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 });
    const stored = await h.logs.send(new GetLogEventsCommand({ logGroupName: '/other', logStreamName: 's', startFromHead: true }));
    expect(stored.events?.map((e) => e.message)).toEqual(['kept 1', 'kept 2']);

    const span = put([
      { timestamp: t0 - 25 * 3600_000, message: 'a' },
      { timestamp: t0, message: 'b' },
    ]);
    await expect(span).rejects.toThrow('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  });

  it('reads a stream from the head or the tail with forward tokens that stop at the end', async () => {
    const head = await h.logs.send(
      new GetLogEventsCommand({ logGroupName: '/fleet/alerts', logStreamName: 'a-stream', startFromHead: true, limit: 2 }),
    );
    expect(head.events?.map((e) => e.message)).toEqual(['boot ok', expect.stringContaining('"warn"')]);
    expect(head.events?.[0]).toMatchObject({ timestamp: t0 - 3000, ingestionTime: t0 });
    const next = await h.logs.send(
      new GetLogEventsCommand({ logGroupName: '/fleet/alerts', logStreamName: 'a-stream', nextToken: head.nextForwardToken, limit: 2 }),
    );
    expect(next.events?.map((e) => e.message)).toEqual(['ERROR disk full']);
    const end = await h.logs.send(
      new GetLogEventsCommand({ logGroupName: '/fleet/alerts', logStreamName: 'a-stream', nextToken: next.nextForwardToken }),
    );
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(next.nextForwardToken);

    const tail = await h.logs.send(new GetLogEventsCommand({ logGroupName: '/fleet/alerts', logStreamName: 'a-stream', limit: 1 }));
    expect(tail.events?.map((e) => e.message)).toEqual(['ERROR disk full']);
    const back = await h.logs.send(
      new GetLogEventsCommand({ logGroupName: '/fleet/alerts', logStreamName: 'a-stream', nextToken: tail.nextBackwardToken, limit: 5 }),
    );
    expect(back.events).toHaveLength(2);

    // New events show up behind a saved forward token.
    await h.logs.send(
      new PutLogEventsCommand({
        logGroupName: '/fleet/alerts',
        logStreamName: 'a-stream',
        logEvents: [{ timestamp: t0, message: 'fresh' }],
      }),
    );
    const fresh = await h.logs.send(
      new GetLogEventsCommand({ logGroupName: '/fleet/alerts', logStreamName: 'a-stream', nextToken: end.nextForwardToken }),
    );
    expect(fresh.events?.map((e) => e.message)).toEqual(['fresh']);

    const window = await h.logs.send(
      new GetLogEventsCommand({
        logGroupName: '/fleet/alerts',
        logStreamName: 'a-stream',
        startFromHead: true,
        startTime: t0 - 2000,
        endTime: t0,
      }),
    );
    expect(window.events).toHaveLength(2);
    await expect(h.logs.send(new GetLogEventsCommand({ logGroupName: '/fleet/alerts', logStreamName: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('filters events across streams by terms and JSON patterns, in time order', async () => {
    const filter = async (filterPattern?: string, extra: Record<string, unknown> = {}) =>
      (await h.logs.send(new FilterLogEventsCommand({ logGroupName: '/fleet/alerts', filterPattern, ...extra }))).events?.map(
        (e) => e.message,
      );
    expect(await filter('ERROR')).toEqual(['ERROR sensor offline', 'ERROR disk full']);
    expect(await filter('ERROR -disk')).toEqual(['ERROR sensor offline']);
    expect(await filter('"disk full"')).toEqual(['ERROR disk full']);
    expect(await filter('?fresh ?boot')).toEqual(['boot ok', 'fresh']);
    expect(await filter('{ $.temperature > 50 }')).toEqual([expect.stringContaining('"d-1"')]);
    expect(await filter('{ $.level = "info" || $.deviceId = d-1 }')).toHaveLength(2);
    expect(await filter('{ $.deviceId = "d-*" && $.temperature < 50 }')).toEqual([expect.stringContaining('"d-2"')]);
    expect(await filter(undefined, { logStreamNames: ['b-stream'] })).toHaveLength(2);
    expect(await filter(undefined, { startTime: t0 - 2000, endTime: t0 - 2000 })).toHaveLength(2);

    const first = await h.logs.send(new FilterLogEventsCommand({ logGroupName: '/fleet/alerts', limit: 2 }));
    expect(first.events).toHaveLength(2);
    expect(first.events?.[0]).toMatchObject({ logStreamName: 'a-stream', eventId: expect.any(String) });
    const second = await h.logs.send(new FilterLogEventsCommand({ logGroupName: '/fleet/alerts', limit: 10, nextToken: first.nextToken }));
    expect(second.events).toHaveLength(4);
    expect(second.nextToken).toBeUndefined();
    await expect(
      h.logs.send(new FilterLogEventsCommand({ logGroupName: '/fleet/alerts', filterPattern: '[ip, user]' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('keeps groups, streams and events across a close and re-create', async () => {
    await h.restart();
    const groups = await h.logs.send(new DescribeLogGroupsCommand({}));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual(['/fleet/alerts', '/fleet/services/api', '/other']);
    const events = await h.logs.send(
      new GetLogEventsCommand({ logGroupName: '/fleet/alerts', logStreamName: 'a-stream', startFromHead: true }),
    );
    expect(events.events?.map((e) => e.message)).toEqual(['boot ok', expect.stringContaining('"warn"'), 'ERROR disk full', 'fresh']);
    // Appends after a restart continue the same stream.
    await h.logs.send(
      new PutLogEventsCommand({
        logGroupName: '/fleet/alerts',
        logStreamName: 'a-stream',
        logEvents: [{ timestamp: t0 + 1, message: 'after restart' }],
      }),
    );
    const tail = await h.logs.send(new GetLogEventsCommand({ logGroupName: '/fleet/alerts', logStreamName: 'a-stream', limit: 1 }));
    expect(tail.events?.[0]?.message).toBe('after restart');
  });

  it('deletes a log stream', async () => {
    await h.logs.send(new DeleteLogStreamCommand({ logGroupName: '/fleet/alerts', logStreamName: 'b-stream' }));
    const streams = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/fleet/alerts' }));
    expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual(['a-stream']);
    await expect(
      h.logs.send(new DeleteLogStreamCommand({ logGroupName: '/fleet/alerts', logStreamName: 'b-stream' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('deletes a log group with its streams', async () => {
    await h.logs.send(new DeleteLogGroupCommand({ logGroupName: '/fleet/alerts' }));
    await expect(h.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/fleet/alerts' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(h.logs.send(new DeleteLogGroupCommand({ logGroupName: '/fleet/alerts' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/fleet/alerts' }));
    const streams = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/fleet/alerts' }));
    expect(streams.logStreams).toEqual([]);
  });
});
