/**
 * The job store and the runner on dynalite: claims are exclusive, a killed task's job is claimed
 * again after its lease and re-run, imports and replays never overlap across runners, finished jobs
 * get their TTL, the list is newest first and paged.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dataControlTable, dataJobLimits, type DataJobInput } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { waitFor } from '../testing/wait-for.ts';
import { createBulkWriteLock } from './bulk-write-lock.ts';
import { createJobRunner, type JobHandler } from './job-runner.ts';
import { createJobStore, newJob, openMarkerGraceMs, type JobStore } from './job-store.ts';

let aws: LocalAws;
let store: JobStore;
const logger = pino({ level: 'silent' });
const exportInput: DataJobInput = { kind: 'export', deviceIds: ['d1'], from: 0, to: 1, format: 'jsonl' };
const replayInput: DataJobInput = { kind: 'replay', from: 0, to: 1 };
const succeeded: JobHandler = async () => ({ status: 'succeeded', result: { readings: 1 } });

beforeAll(async () => {
  aws = await startLocalAws();
  store = createJobStore({ client: aws.dynamo, tableName: dataControlTable.id });
});
afterAll(() => aws.close());

const runnerWith = (handlers: Partial<Record<DataJobInput['kind'], JobHandler>>, extra: { owner?: string; leaseMs?: number } = {}) =>
  createJobRunner({
    store,
    lock: createBulkWriteLock({ client: aws.dynamo, tableName: dataControlTable.id }),
    handlers: { export: succeeded, import: succeeded, replay: succeeded, ...handlers },
    logger,
    pollMs: 20,
    heartbeatMs: 50,
    leaseMs: extra.leaseMs ?? 1000,
    ...(extra.owner ? { owner: extra.owner } : {}),
  });

async function queued(input: DataJobInput, at = Date.now()) {
  const job = newJob(input, 'tester', at);
  await store.create(job);
  return job;
}

describe('data job runner', () => {
  it('runs a queued job once although two runners poll it, and keeps it for keepDays', async () => {
    let runs = 0;
    const handler: JobHandler = async (context) => {
      runs++;
      context.progress(7);
      return { status: 'succeeded', result: { readings: 7 } };
    };
    const job = await queued(exportInput);
    const [a, b] = [runnerWith({ export: handler }, { owner: 'a' }), runnerWith({ export: handler }, { owner: 'b' })];
    await Promise.all([a.poll(), b.poll()]);
    await Promise.all([a.idle(), b.idle()]);
    expect(runs).toBe(1);
    const done = await store.get(job.id);
    expect(done).toMatchObject({ status: 'succeeded', progress: { done: 7 }, result: { readings: 7 } });
    const item = await aws.dynamo.send(new GetCommand({ TableName: dataControlTable.id, Key: { pk: 'job', sk: job.id } }));
    const expiresAt = Number(item.Item?.['expiresAt']);
    expect(expiresAt - Date.now() / 1000).toBeGreaterThan(dataJobLimits.keepDays * 86_400 - 60);
    expect((await store.open()).map((m) => m.id)).not.toContain(job.id);
  });

  it('keeps the open marker of a job not yet written or not yet queued, and runs the job once it is', async () => {
    // store.create and store.queue write the marker first: a runner may poll between the two writes.
    const marker = (id: string) =>
      aws.dynamo.send(new PutCommand({ TableName: dataControlTable.id, Item: { pk: 'job-open', sk: id, markedAt: Date.now() } }));
    const runner = runnerWith({}, { owner: 'early' });

    const exported = newJob(exportInput, 'tester', Date.now());
    await marker(exported.id);
    await runner.poll();
    expect((await store.open()).map((m) => m.id)).toContain(exported.id);
    await aws.dynamo.send(new PutCommand({ TableName: dataControlTable.id, Item: { pk: 'job', sk: exported.id, ...exported } }));

    const imported = newJob({ kind: 'import', deviceId: 'd1', format: 'csv', bytes: 1 }, 'tester', Date.now());
    await store.create(imported);
    await marker(imported.id);
    await runner.poll();
    expect((await store.open()).map((m) => m.id)).toContain(imported.id);
    // The second write of store.queue: awaiting-upload → queued.
    await aws.dynamo.send(
      new UpdateCommand({
        TableName: dataControlTable.id,
        Key: { pk: 'job', sk: imported.id },
        UpdateExpression: 'SET #s = :queued',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':queued': 'queued' },
      }),
    );

    for (let i = 0; i < 3; i++) {
      await runner.poll();
      await runner.idle();
    }
    expect(await store.get(exported.id)).toMatchObject({ status: 'succeeded' });
    expect(await store.get(imported.id)).toMatchObject({ status: 'succeeded' });
  });

  it('drops the open marker of a job that finished, or that stayed missing past the grace period', async () => {
    const stale = 'stale-marker';
    await aws.dynamo.send(
      new PutCommand({ TableName: dataControlTable.id, Item: { pk: 'job-open', sk: stale, markedAt: Date.now() - openMarkerGraceMs - 1 } }),
    );
    await runnerWith({}).poll();
    expect((await store.open()).map((m) => m.id)).not.toContain(stale);
  });

  it('claims a job again once the lease of the task that ran it lapsed, and re-runs it from the start', async () => {
    const job = await queued(exportInput);
    // A task claimed it and was killed: no heartbeat, no finish.
    expect(await store.claim(job.id, 'killed-task', 200)).toBeDefined();
    const runner = runnerWith({}, { owner: 'survivor' });
    await runner.poll();
    expect(await runner.idle().then(() => store.get(job.id))).toMatchObject({ status: 'running' });
    await new Promise((resolve) => setTimeout(resolve, 250));
    await runner.poll();
    await runner.idle();
    expect(await store.get(job.id)).toMatchObject({ status: 'succeeded' });
  });

  it('a lost lease stops the job without recording an outcome', async () => {
    const job = await queued(exportInput);
    const runner = runnerWith({
      export: (context) =>
        new Promise((_resolve, reject) => {
          context.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    });
    await runner.poll();
    // Another task took the lease over (as after a long pause of this one): the heartbeat finds it gone.
    await aws.dynamo.send(
      new UpdateCommand({
        TableName: dataControlTable.id,
        Key: { pk: 'job', sk: job.id },
        UpdateExpression: 'SET leaseOwner = :o',
        ExpressionAttributeValues: { ':o': 'other-task' },
      }),
    );
    await runner.idle();
    const item = await aws.dynamo.send(new GetCommand({ TableName: dataControlTable.id, Key: { pk: 'job', sk: job.id } }));
    expect(item.Item).toMatchObject({ status: 'running', leaseOwner: 'other-task' });
  });

  it('never runs two replays or imports at once across runners (the bulk-write lock)', async () => {
    let active = 0;
    let most = 0;
    const slow: JobHandler = async () => {
      active++;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 150));
      active--;
      return { status: 'succeeded', result: {} };
    };
    const jobs = await Promise.all([queued(replayInput), queued(replayInput), queued(replayInput)]);
    const runners = ['x', 'y', 'z'].map((owner) => runnerWith({ replay: slow }, { owner }));
    for (const r of runners) r.start();
    await waitFor(
      'three replays to finish',
      async () => (await Promise.all(jobs.map((j) => store.get(j.id)))).every((j) => j?.status === 'succeeded'),
      15_000,
    );
    await Promise.all(runners.map((r) => r.stop()));
    expect(most).toBe(1);
  });

  it('records a thrown handler as a failed job with the reason', async () => {
    const job = await queued(exportInput);
    const runner = runnerWith({ export: () => Promise.reject(new Error('bucket gone')) });
    await runner.poll();
    await runner.idle();
    expect(await store.get(job.id)).toMatchObject({ status: 'failed', error: 'internal error: bucket gone' });
  });
});

describe('data job list', () => {
  it('lists newest first, by kind, page by page', async () => {
    const base = Date.UTC(2030, 0, 1);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await queued(i % 2 ? replayInput : exportInput, base + i * 1000)).id);
    const first = await store.list({ limit: 2 });
    if ('invalidToken' in first) throw new Error('unexpected');
    expect(first.jobs.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    const second = await store.list({ limit: 2, nextToken: first.nextToken! });
    if ('invalidToken' in second) throw new Error('unexpected');
    expect(second.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    const replays = await store.list({ kind: 'replay', limit: 2 });
    if ('invalidToken' in replays) throw new Error('unexpected');
    expect(replays.jobs.map((j) => j.id)).toEqual([ids[3], ids[1]]);
    expect(await store.list({ limit: 2, nextToken: 'garbage' })).toEqual({ invalidToken: true });
  });
});
