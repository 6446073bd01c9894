import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defaultRetention } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { aggregateReadings } from './aggregate.ts';
import { createHourFolder } from './hour-folder.ts';
import { createRollupReader } from './rollup-reader.ts';
import { createRollupWriter, type MinuteView } from './rollup-writer.ts';

const logger = pino({ level: 'silent' });
const hour = Date.UTC(2026, 0, 5, 10);

const minute = (deviceId: string, index: number, values: number[]): MinuteView => ({
  deviceId,
  start: hour + index * 60_000,
  n: values.length,
  aggregate: aggregateReadings(values.map((v, seq) => ({ ts: hour + index * 60_000 + seq, seq, values: { t: v } }))),
});

/** A client that runs `before` once, just before the first Query of a minute partition is answered. */
function interceptingFirstMinuteQuery(client: DynamoDBDocumentClient, before: () => Promise<void>): DynamoDBDocumentClient {
  let done = false;
  const send = async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
    const answer = await client.send(command as never);
    const input = command.input as { ExpressionAttributeValues?: Record<string, unknown> };
    if (!done && String(input.ExpressionAttributeValues?.[':pk'] ?? '').includes('#1m#')) {
      done = true;
      await before();
    }
    return answer;
  };
  return { send } as unknown as DynamoDBDocumentClient;
}

describe('hour folder: hours and days folded from durable marks', () => {
  let aws: LocalAws;
  const writerOn = (client: DynamoDBDocumentClient) =>
    createRollupWriter({ client, tableName: aws.tableNames.rollups, policyOf: () => Promise.resolve(defaultRetention) });
  const stored = async (deviceId: string, level: '1h' | '1d') => {
    const reader = createRollupReader({ client: aws.dynamo, tableName: aws.tableNames.rollups });
    return (await reader.buckets(deviceId, level, hour - 86_400_000, hour + 3_600_000)).map((b) => b.aggregate.n);
  };
  const marksOf = async (deviceId: string) => (await writerOn(aws.dynamo).readMarks()).filter((m) => m.deviceId === deviceId);

  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => aws.close());

  it('writes the minutes and a mark per device-hour, and folds the hour and day only when the folder runs', async () => {
    const writer = writerOn(aws.dynamo);
    const folder = createHourFolder({ writer, logger });
    const { failed, marks } = await writer.markMinutes([minute('m1', 0, [1, 2]), minute('m1', 1, [3]), minute('m2', 0, [4])]);
    expect(failed.size).toBe(0);
    expect(marks.map((m) => m.deviceId).sort()).toEqual(['m1', 'm2']);
    folder.remember(marks);
    expect(await marksOf('m1')).toHaveLength(1);
    expect(await stored('m1', '1h')).toEqual([]);

    await folder.flush();
    expect(await stored('m1', '1h')).toEqual([3]);
    expect(await stored('m1', '1d')).toEqual([3]);
    expect(await stored('m2', '1h')).toEqual([1]);
    expect(await marksOf('m1')).toEqual([]);
    expect(await marksOf('m2')).toEqual([]);
  });

  it('keeps a mark written while a fold read the minutes, so a task that stopped after marking loses nothing', async () => {
    const other = writerOn(aws.dynamo);
    // Task B writes a new minute of the hour and marks it while task A's fold is between its Query and its delete; then B stops.
    const a = writerOn(
      interceptingFirstMinuteQuery(aws.dynamo, async () => {
        await other.markMinutes([minute('race', 5, [10, 11, 12])]);
      }),
    );
    const folderA = createHourFolder({ writer: a, logger });
    folderA.remember((await a.markMinutes([minute('race', 0, [1])])).marks);
    await folderA.flush();
    // A folded what it read (one reading), and its delete was refused: the mark now carries B's token.
    expect(await stored('race', '1h')).toEqual([1]);
    expect(await marksOf('race')).toHaveLength(1);

    // Any task's sweep takes the stopped task's mark.
    const sweeper = createHourFolder({ writer: writerOn(aws.dynamo), logger });
    await sweeper.start();
    await sweeper.stop();
    expect(await stored('race', '1h')).toEqual([4]);
    expect(await stored('race', '1d')).toEqual([4]);
    expect(await marksOf('race')).toEqual([]);
  });

  it('leaves a fresh mark of another live task to that task, and takes it once it is older than the orphan age', async () => {
    const writer = writerOn(aws.dynamo);
    await writer.markMinutes([minute('live', 2, [7])]);
    let now = Date.now();
    const folder = createHourFolder({ writer, logger, orphanAgeMs: 60_000, now: () => now });
    await folder.sweep();
    expect(await stored('live', '1h')).toEqual([]);
    now += 61_000;
    await folder.sweep();
    expect(await stored('live', '1h')).toEqual([1]);
    expect(await marksOf('live')).toEqual([]);
  });

  it('rolls a round up at once for an hour not folded within the interval, and marks it for the next fold otherwise', async () => {
    const writer = writerOn(aws.dynamo);
    let now = Date.now();
    const folder = createHourFolder({ writer, logger, intervalMs: 30_000, now: () => now });
    // A device publishing once a minute pays what it did: minute, hour and day in the round, no mark.
    expect((await folder.round([minute('slow', 0, [1])])).size).toBe(0);
    expect(await stored('slow', '1h')).toEqual([1]);
    expect(await marksOf('slow')).toEqual([]);
    now += 10_000;
    // Ten seconds later the hour waits for the folder: its minute is written, the hour is not yet.
    expect((await folder.round([minute('slow', 1, [2, 3])])).size).toBe(0);
    expect(await stored('slow', '1h')).toEqual([1]);
    expect(await marksOf('slow')).toHaveLength(1);
    await folder.flush();
    expect(await stored('slow', '1h')).toEqual([3]);
    expect(await stored('slow', '1d')).toEqual([3]);
    // Folded by the folder at `now`: the interval after that again rolls up at once.
    now += 31_000;
    expect((await folder.round([minute('slow', 2, [4])])).size).toBe(0);
    expect(await stored('slow', '1h')).toEqual([4]);
    expect(await marksOf('slow')).toEqual([]);
  });

  it('writes nothing for a marked hour whose minutes are gone (its device data deleted)', async () => {
    const writer = writerOn(aws.dynamo);
    const { marks } = await writer.markMinutes([]);
    expect(marks).toEqual([]);
    const outcome = await writer.foldMarked([{ deviceId: 'gone', hourStart: hour, token: 'x', markedAt: 0 }]);
    expect(outcome.failed.size).toBe(0);
    expect(await stored('gone', '1h')).toEqual([]);
  });
});
