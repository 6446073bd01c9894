import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { defaultRetentionSettings, devicesTable, type DataJob, type DataUsage, type RetentionSettings } from '@fleet/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asCaller } from '../test-support/as-caller.ts';
import { awsError } from '../test-support/fake-aws-client.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

/** A Data Service recording what it was asked, answering the data's life by the contract. */
let data: FastifyInstance;
const seen: { method: string; url: string; body: unknown; authorization: string | undefined }[] = [];
let t: TestApp;

const settings: RetentionSettings = {
  ...defaultRetentionSettings,
  groups: { pumps: { rawDays: 90 } },
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'root',
};
const usage: DataUsage = {
  measuredAt: '2026-01-01T00:00:00.000Z',
  volumes: [{ store: 'raw', items: 10, bytes: 1000, approximate: true }],
  model: {
    devices: 1,
    readingsPerSecond: 0.1,
    monthlyUsd: 1.5,
    perMillionReadingsUsd: 5.7,
    lines: [{ item: 'DynamoDB writes (raw)', usd: 0.2, basis: '259,200 WRU × $0.625/M' }],
    pricesAsOf: '2026-11-01',
  },
};
const job = (kind: 'export' | 'import' | 'replay'): DataJob => ({
  id: `job-${kind}-0001`,
  input:
    kind === 'export'
      ? { kind, deviceIds: ['dev-1'], from: 0, to: 1000, format: 'csv' }
      : kind === 'import'
        ? { kind, deviceId: 'dev-1', format: 'csv', bytes: 10 }
        : { kind, from: 0, to: 3_600_000 },
  status: kind === 'import' ? 'awaiting-upload' : 'queued',
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'alice',
  updatedAt: '2026-01-01T00:00:00.000Z',
  progress: { done: 0, unit: kind === 'import' ? 'bytes' : kind === 'export' ? 'readings' : 'objects' },
});

beforeAll(async () => {
  data = Fastify();
  data.addHook(
    'preHandler',
    async (req) => void seen.push({ method: req.method, url: req.url, body: req.body, authorization: req.headers.authorization }),
  );
  data.get('/data/retention', async () => settings);
  data.put('/data/retention', async (req) => ({ ...(req.body as object), updatedAt: '2026-01-02T00:00:00.000Z', updatedBy: 'root' }));
  data.get('/data/data-usage', async () => usage);
  data.get('/data/data-jobs', async () => ({ jobs: [job('export')], nextToken: 'next' }));
  data.post('/data/data-jobs', async (req, reply) => reply.code(201).send(job((req.body as { kind: 'export' }).kind)));
  data.get('/data/data-jobs/:id', async (req, reply) =>
    (req.params as { id: string }).id === 'job-export-0001'
      ? { ...job('export'), status: 'succeeded', result: { downloadUrl: 'http://s3/x.csv', readings: 3 } }
      : reply.code(404).send({ code: 'JobNotFound', message: 'No data job "x"' }),
  );
  data.post('/data/data-jobs/:id/start', async (_req, reply) =>
    reply.code(409).send({ code: 'JobStateConflict', message: 'The job is queued, not awaiting-upload' }),
  );
  t = await startTestApp({ config: { dataServiceUrl: await data.listen({ port: 0, host: '127.0.0.1' }) } });
  await t.dynamo.doc.send(
    new PutCommand({
      TableName: devicesTable.id,
      Item: { deviceId: 'dev-1', ownerId: 'sub-alice', name: 'one', createdAt: '2026-01-01T00:00:00.000Z', status: 'ACTIVE' },
    }),
  );
  t.iot.on({
    DescribeThingGroup: (input) => {
      if (input['thingGroupName'] !== 'pumps') throw awsError('ResourceNotFoundException');
      return { thingGroupArn: 'arn:aws:iot:us-east-1:000000000000:thinggroup/pumps' };
    },
  });
});
afterAll(async () => {
  await t.close();
  await data.close();
});
beforeEach(() => void (seen.length = 0));

const as = async (role: 'admin' | 'operator' | 'viewer') => asCaller(t.app, await t.bearer({ groups: [role] }));
const exportInput = { kind: 'export', deviceIds: ['dev-1'], from: 0, to: 1000, format: 'csv' };

describe('retention and data usage relayed to the Data Service', () => {
  it('shows retention and usage to operators with their own token; viewers may not', async () => {
    const bearer = await t.bearer({ groups: ['operator'] });
    const operator = asCaller(t.app, bearer);
    expect((await operator.get('/api/retention')).json()).toEqual(settings);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/data/retention', authorization: bearer });
    expect((await operator.get('/api/data-usage')).json()).toEqual(usage);
    expect((await (await as('viewer')).get('/api/data-usage')).statusCode).toBe(403);
    expect((await (await as('viewer')).get('/api/retention')).statusCode).toBe(403);
  });

  it('lets admins change the retention, refusing an inconsistent one or an unknown group before relaying', async () => {
    const input = { fleet: { ...settings.fleet, rawDays: 60 }, groups: { pumps: { rawDays: 80 } } };
    expect((await (await as('operator')).put('/api/retention', input)).statusCode).toBe(403);
    const admin = await as('admin');
    const saved = await admin.put('/api/retention', input);
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ ...input, updatedBy: 'root' });
    expect(seen.at(-1)).toMatchObject({ method: 'PUT', url: '/data/retention', body: input });
    const before = seen.length;

    const holes = await admin.put('/api/retention', { ...input, fleet: { ...input.fleet, hourDays: 30 } });
    expect(holes.statusCode).toBe(400);
    expect(holes.json()).toMatchObject({
      code: 'ValidationError',
      message: expect.stringContaining('hourDays (30) must be at least minuteDays (90)'),
    });
    const unknown = await admin.put('/api/retention', { ...input, groups: { nope: { rawDays: 90 } } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'GroupNotFound' });
    expect((await admin.put('/api/retention', { ...input, fleet: { ...input.fleet, rawDays: 0 } })).statusCode).toBe(400);
    expect(seen.length).toBe(before);
  });
});

describe('data jobs relayed to the Data Service', () => {
  it('creates each kind of job only for the role its kind needs', async () => {
    const operator = await as('operator');
    const created = await operator.post('/api/data-jobs', exportInput);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual(job('export'));
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/data/data-jobs', body: exportInput });
    const upload = await operator.post('/api/data-jobs', { kind: 'import', deviceId: 'dev-1', format: 'csv', bytes: 10 });
    expect(upload.json()).toMatchObject({ status: 'awaiting-upload' });

    const before = seen.length;
    const replay = { kind: 'replay', from: 0, to: 3_600_000 };
    const refused = await operator.post('/api/data-jobs', replay);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ code: 'Forbidden', message: 'Role "operator" may not create replay jobs' });
    expect((await (await as('viewer')).post('/api/data-jobs', exportInput)).statusCode).toBe(403);
    expect(seen.length).toBe(before);
    expect((await (await as('admin')).post('/api/data-jobs', replay)).statusCode).toBe(201);
  });

  it("checks an export's devices and group and an import's device against the registry before relaying", async () => {
    const operator = await as('operator');
    const ghost = await operator.post('/api/data-jobs', { ...exportInput, deviceIds: ['dev-1', 'ghost', 'spook'] });
    expect(ghost.statusCode).toBe(404);
    expect(ghost.json()).toEqual({ code: 'DeviceNotFound', message: 'Devices "ghost", "spook" not registered' });
    const { deviceIds: _, ...byGroup } = exportInput;
    const group = await operator.post('/api/data-jobs', { ...byGroup, groupName: 'nope' });
    expect(group.statusCode).toBe(404);
    expect(group.json()).toMatchObject({ code: 'GroupNotFound' });
    const importing = await operator.post('/api/data-jobs', { kind: 'import', deviceId: 'ghost', format: 'csv', bytes: 10 });
    expect(importing.json()).toMatchObject({ code: 'DeviceNotFound' });
    expect((await operator.post('/api/data-jobs', { ...exportInput, format: 'xlsx' })).statusCode).toBe(400);
    expect(seen).toEqual([]);
    expect((await operator.post('/api/data-jobs', { ...byGroup, groupName: 'pumps' })).statusCode).toBe(201);
  });

  it('lists, reads and starts jobs, relaying the outcomes it documents', async () => {
    const operator = await as('operator');
    expect((await operator.get('/api/data-jobs?kind=export&limit=5')).json()).toEqual({ jobs: [job('export')], nextToken: 'next' });
    expect(seen.at(-1)).toMatchObject({ url: '/data/data-jobs?kind=export&limit=5' });
    expect((await operator.get('/api/data-jobs?kind=backup')).statusCode).toBe(400);
    expect((await operator.get('/api/data-jobs/job-export-0001')).json()).toMatchObject({ result: { downloadUrl: 'http://s3/x.csv' } });
    const missing = await operator.get('/api/data-jobs/job-other-0001');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'JobNotFound' });
    const start = await t.app.inject({
      method: 'POST',
      url: '/api/data-jobs/job-export-0001/start',
      headers: { authorization: await t.bearer({ groups: ['operator'] }) },
    });
    expect(start.statusCode).toBe(409);
    expect(start.json()).toEqual({ code: 'JobStateConflict', message: 'The job is queued, not awaiting-upload' });
    expect((await (await as('viewer')).get('/api/data-jobs')).statusCode).toBe(403);
  });
});

describe('a Data Service answering jobs outside the contract', () => {
  it('answers 502 DataServiceUnavailable', async () => {
    const odd = Fastify();
    odd.get('/data/data-jobs', async () => ({ jobs: [{ id: 'job-x-0001', status: 'paused' }] }));
    const app = await startTestApp({ config: { dataServiceUrl: await odd.listen({ port: 0, host: '127.0.0.1' }) } });
    try {
      const res = await asCaller(app.app, await app.bearer({ groups: ['operator'] })).get('/api/data-jobs');
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ code: 'DataServiceUnavailable' });
    } finally {
      await app.close();
      await odd.close();
    }
  });
});
