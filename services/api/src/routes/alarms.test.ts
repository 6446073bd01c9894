import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { devicesTable, type AlarmDefinition } from '@fleet/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

/** A Data Service recording what it was asked, answering alarms by the contract. */
let data: FastifyInstance;
const seen: { method: string; url: string; body: unknown; authorization: string | undefined }[] = [];
let t: TestApp;

const definition: AlarmDefinition = {
  id: 'def-1',
  name: 'Too hot',
  scope: { kind: 'device', deviceId: 'dev-1' },
  condition: { kind: 'above', metric: 't', threshold: 80 },
  duration: { kind: 'immediate' },
  severity: 'major',
  enabled: true,
  autoClear: true,
  createdBy: 'alice',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
};
const alarm = {
  definitionId: 'def-1',
  deviceId: 'dev-1',
  occurrence: 1,
  name: 'Too hot',
  severity: 'major',
  status: 'ACKNOWLEDGED',
  reason: 't 90 > 80',
  value: 90,
  activeAt: '2026-01-01T00:00:00.000Z',
  acknowledgedAt: '2026-01-01T00:01:00.000Z',
  acknowledgedBy: 'alice',
};

beforeAll(async () => {
  data = Fastify();
  data.addHook(
    'preHandler',
    async (req) => void seen.push({ method: req.method, url: req.url, body: req.body, authorization: req.headers.authorization }),
  );
  data.get('/data/alarm-definitions', async () => ({ definitions: [definition] }));
  data.post('/data/alarm-definitions', async (_req, reply) => reply.code(201).send(definition));
  data.get('/data/alarm-definitions/:id', async (req, reply) =>
    (req.params as { id: string }).id === 'def-1'
      ? definition
      : reply.code(404).send({ code: 'AlarmDefinitionNotFound', message: 'No alarm definition "x"' }),
  );
  data.put('/data/alarm-definitions/:id', async (_req, reply) => reply.code(409).send({ code: 'AlarmStateConflict', message: 'stale' }));
  data.delete('/data/alarm-definitions/:id', async (_req, reply) => reply.code(204).send());
  data.get('/data/alarms', async () => ({ alarms: [alarm], nextToken: 'abc' }));
  data.post('/data/alarms/:definitionId/:deviceId/acknowledge', async () => alarm);
  data.post('/data/alarms/:definitionId/:deviceId/clear', async (_req, reply) =>
    reply.code(409).send({ code: 'AlarmStateConflict', message: 'This alarm is already CLEARED' }),
  );
  data.get('/data/alarm-events', async () => ({
    events: [{ eventId: 'def-1/dev-1/1/ACKNOWLEDGED', type: 'ACKNOWLEDGED', at: alarm.acknowledgedAt, by: 'alice', alarm }],
    unread: 1,
  }));
  data.post('/data/alarm-events/read', async (_req, reply) => reply.code(204).send());
  t = await startTestApp({ config: { dataServiceUrl: await data.listen({ port: 0, host: '127.0.0.1' }) } });
  await t.dynamo.doc.send(
    new PutCommand({
      TableName: devicesTable.id,
      Item: { deviceId: 'dev-1', ownerId: 'sub-alice', name: 'one', createdAt: '2026-01-01T00:00:00.000Z', status: 'ACTIVE' },
    }),
  );
});
afterAll(async () => {
  await t.close();
  await data.close();
});

const input = {
  name: 'Too hot',
  scope: { kind: 'device', deviceId: 'dev-1' },
  condition: { kind: 'above', metric: 't', threshold: 80 },
  severity: 'major',
};

describe('alarm routes relayed to the Data Service', () => {
  it('lists definitions, alarms and the feed for viewers with their own token', async () => {
    const bearer = await t.bearer({ groups: ['viewer'] });
    const viewer = asCaller(t.app, bearer);
    expect((await viewer.get('/api/alarm-definitions')).json()).toEqual({ definitions: [definition] });
    const alarms = await viewer.get('/api/alarms?status=ACTIVE,ACKNOWLEDGED&limit=10');
    expect(alarms.json()).toEqual({ alarms: [alarm], nextToken: 'abc' });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/data/alarms?status=ACTIVE,ACKNOWLEDGED&limit=10', authorization: bearer });
    expect((await viewer.get('/api/alarm-events')).json()).toMatchObject({ unread: 1, events: [{ type: 'ACKNOWLEDGED' }] });
    expect((await viewer.get('/api/alarms?status=OPEN')).statusCode).toBe(400);
  });

  it('creates for operators after checking the device is registered; viewers may not', async () => {
    expect((await asCaller(t.app, await t.bearer({ groups: ['viewer'] })).post('/api/alarm-definitions', input)).statusCode).toBe(403);
    const operator = asCaller(t.app, await t.bearer({ groups: ['operator'] }));
    const created = await operator.post('/api/alarm-definitions', input);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual(definition);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/data/alarm-definitions', body: input });
    const before = seen.length;
    const unknown = await operator.post('/api/alarm-definitions', { ...input, scope: { kind: 'device', deviceId: 'ghost' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'DeviceNotFound' });
    const group = await operator.post('/api/alarm-definitions', { ...input, scope: { kind: 'group', groupName: 'nope' } });
    expect(group.json()).toMatchObject({ code: 'GroupNotFound' });
    expect((await operator.post('/api/alarm-definitions', { ...input, unknown: 1 })).statusCode).toBe(400);
    expect(seen.length).toBe(before);
  });

  it('relays the Data Service outcomes it documents: 404, 409, 204', async () => {
    const operator = asCaller(t.app, await t.bearer({ groups: ['operator'] }));
    expect((await operator.get('/api/alarm-definitions/other')).json()).toMatchObject({ code: 'AlarmDefinitionNotFound' });
    const stale = await operator.put('/api/alarm-definitions/def-1', { ...input, expectedVersion: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'AlarmStateConflict' });
    expect((await operator.delete('/api/alarm-definitions/def-1')).statusCode).toBe(204);
    const acked = await operator.post('/api/alarms/def-1/dev-1/acknowledge', { occurrence: 1 });
    expect(acked.json()).toEqual(alarm);
    const cleared = await operator.post('/api/alarms/def-1/dev-1/clear', { occurrence: 1 });
    expect(cleared.statusCode).toBe(409);
    expect(cleared.json()).toEqual({ code: 'AlarmStateConflict', message: 'This alarm is already CLEARED' });
    const read = await asCaller(t.app, await t.bearer({ groups: ['viewer'] })).post('/api/alarm-events/read', {
      until: '2026-01-01T00:00:00.000Z',
    });
    expect(read.statusCode).toBe(204);
  });
});

describe('a Data Service answering alarms outside the contract', () => {
  it('answers 502 DataServiceUnavailable', async () => {
    const odd = Fastify();
    odd.get('/data/alarms', async () => ({ alarms: [{ status: 'MAYBE' }] }));
    const app = await startTestApp({ config: { dataServiceUrl: await odd.listen({ port: 0, host: '127.0.0.1' }) } });
    try {
      const res = await asCaller(app.app, await app.bearer({ groups: ['viewer'] })).get('/api/alarms');
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ code: 'DataServiceUnavailable' });
    } finally {
      await app.close();
      await odd.close();
    }
  });
});
