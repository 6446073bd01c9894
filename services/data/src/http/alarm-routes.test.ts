/** The alarm routes over the real stores on the DynamoDB stand-in, called as users of each role. */
import {
  AlarmDefinitionSchema,
  AlarmFeedSchema,
  AlarmPageSchema,
  AlarmSchema,
  answerChecker,
  type AlarmDefinition,
  type AlarmDefinitionInput,
} from '@fleet/core';
import type { InjectOptions } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import type { Alarms } from '../alarms/index.ts';
import { fakeSns, reading, testAlarms, type FakeSns } from '../alarms/testing/alarm-fixtures.ts';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { createTestCallers, type TestCallers } from '../testing/test-callers.ts';

let aws: LocalAws;
let callers: TestCallers;
let alarms: Alarms;
let sns: FakeSns;
let app: ReturnType<typeof buildApp>;

beforeAll(async () => {
  [aws, callers] = await Promise.all([startLocalAws(), createTestCallers()]);
  sns = fakeSns();
  alarms = testAlarms({ dynamo: aws.dynamo, sns });
  app = buildApp({
    logger: pino({ level: 'silent' }),
    verifier: callers.verifier,
    telemetry: {
      write: async () => ({ stored: 0, duplicates: 0, failed: [] }),
      writeHistorical: async () => ({ stored: 0, duplicates: 0, failed: [] }),
      query: async function* () {},
    },
    latest: { write: async () => ({ updated: 0, older: 0, failed: [] }), get: async () => undefined },
    states: { getMany: async () => [] },
    deadLetters: { write: async () => 'key', listRecent: async () => [] },
    alarms,
    // Devices named grp-a-* are in thing group a, every other one in none.
    groups: { groupsOf: async (id) => new Set(id.startsWith('grp-a-') ? ['a'] : []) },
  });
});
afterAll(async () => {
  await app.close();
  await aws.close();
});

const as = async (options: InjectOptions, groups: string[], username = 'alice') =>
  app.inject({
    ...options,
    headers: { authorization: `Bearer ${await callers.tokens.accessToken({ groups, username, sub: `sub-${username}` })}` },
  });
const hot: AlarmDefinitionInput = {
  name: 'Too hot',
  scope: { kind: 'fleet' },
  condition: { kind: 'above', metric: 't', threshold: 80 },
  severity: 'major',
};

async function define(input: AlarmDefinitionInput = hot): Promise<AlarmDefinition> {
  const res = await as({ method: 'POST', url: '/data/alarm-definitions', payload: input }, ['operator']);
  expect(res.statusCode).toBe(201);
  return res.json();
}

describe('alarm definitions over HTTP', () => {
  it('lets operators create, viewers read but not create', async () => {
    const viewer = await as({ method: 'POST', url: '/data/alarm-definitions', payload: hot }, ['viewer']);
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json()).toEqual({ code: 'Forbidden', message: 'Role "viewer" may not manage alarms' });
    const created = await define();
    expect(answerChecker(AlarmDefinitionSchema)(created).ok).toBe(true);
    expect(created).toMatchObject({ createdBy: 'alice', version: 1, enabled: true });
    const list = await as({ url: '/data/alarm-definitions' }, ['viewer']);
    expect(list.json().definitions.map((d: AlarmDefinition) => d.id)).toContain(created.id);
    expect((await as({ url: `/data/alarm-definitions/${created.id}` }, ['viewer'])).json()).toEqual(created);
    expect((await as({ url: '/data/alarm-definitions/nope' }, ['viewer'])).json()).toMatchObject({ code: 'AlarmDefinitionNotFound' });
  });

  it('refuses an invalid definition with 400 and a stale expectedVersion with 409', async () => {
    const bad = await as(
      { method: 'POST', url: '/data/alarm-definitions', payload: { ...hot, condition: { kind: 'outside', metric: 't', low: 5, high: 1 } } },
      ['admin'],
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('"low" (5) must be below "high" (1)');
    const unknown = await as({ method: 'POST', url: '/data/alarm-definitions', payload: { ...hot, extra: 1 } }, ['admin']);
    expect(unknown.statusCode).toBe(400);
    // Every branch of the unions is reachable (no field stripped while trying another branch).
    const silent = await define({ ...hot, condition: { kind: 'noData', silentMinutes: 5 }, duration: { kind: 'forSeconds', seconds: 60 } });
    expect(silent).toMatchObject({ condition: { kind: 'noData', silentMinutes: 5 }, duration: { kind: 'forSeconds', seconds: 60 } });
    const created = await define();
    const put = (expectedVersion: number) =>
      as({ method: 'PUT', url: `/data/alarm-definitions/${created.id}`, payload: { ...hot, severity: 'minor', expectedVersion } }, [
        'operator',
      ]);
    expect((await put(1)).json()).toMatchObject({ version: 2, severity: 'minor' });
    const stale = await put(1);
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'AlarmStateConflict' });
  });
});

describe('alarms, actions and the feed over HTTP', () => {
  it('acknowledges and clears with who and when, answers 409 for a CLEARED alarm, and feeds the events', async () => {
    const definition = await define({ ...hot, scope: { kind: 'device', deviceId: 'ack-1' }, autoClear: false });
    const now = Date.now();
    await alarms.engine.evaluate([reading('ack-1', now - 5000, { t: 90 })]);

    const page = await as({ url: `/data/alarms?status=ACTIVE&definitionId=${definition.id}` }, ['viewer']);
    expect(answerChecker(AlarmPageSchema)(page.json()).ok).toBe(true);
    expect(page.json().alarms).toEqual([expect.objectContaining({ deviceId: 'ack-1', status: 'ACTIVE', occurrence: 1 })]);

    const path = `/data/alarms/${definition.id}/ack-1`;
    expect((await as({ method: 'POST', url: `${path}/acknowledge`, payload: { occurrence: 1 } }, ['viewer'])).statusCode).toBe(403);
    expect((await as({ method: 'POST', url: `${path}/acknowledge`, payload: { occurrence: 2 } }, ['operator'])).statusCode).toBe(409);
    const acked = await as({ method: 'POST', url: `${path}/acknowledge`, payload: { occurrence: 1 } }, ['operator'], 'bob');
    expect(acked.statusCode).toBe(200);
    expect(answerChecker(AlarmSchema)(acked.json()).ok).toBe(true);
    expect(acked.json()).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedBy: 'bob' });
    const cleared = await as({ method: 'POST', url: `${path}/clear`, payload: { occurrence: 1, note: 'fixed' } }, ['admin'], 'carol');
    expect(cleared.json()).toMatchObject({ status: 'CLEARED', clearedBy: 'carol' });
    const again = await as({ method: 'POST', url: `${path}/acknowledge`, payload: { occurrence: 1 } }, ['operator']);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'AlarmStateConflict' });
    expect(
      (await as({ method: 'POST', url: `/data/alarms/${definition.id}/nobody/clear`, payload: { occurrence: 1 } }, ['operator'])).json(),
    ).toMatchObject({
      code: 'AlarmNotFound',
    });
    expect(sns.eventIds().filter((id) => id.startsWith(definition.id))).toEqual(
      ['ACTIVE', 'ACKNOWLEDGED', 'CLEARED'].map((t) => `${definition.id}/ack-1/1/${t}`),
    );

    // The feed: newest first, paged, with an unread count per user until they mark it read.
    const feed = await as({ url: `/data/alarm-events?definitionId=${definition.id}&limit=2` }, ['viewer'], 'dave');
    expect(answerChecker(AlarmFeedSchema)(feed.json()).ok).toBe(true);
    expect(feed.json().events.map((e: { type: string }) => e.type)).toEqual(['CLEARED', 'ACKNOWLEDGED']);
    expect(feed.json().unread).toBeGreaterThanOrEqual(3);
    const rest = await as(
      { url: `/data/alarm-events?definitionId=${definition.id}&limit=2&nextToken=${feed.json().nextToken}` },
      ['viewer'],
      'dave',
    );
    expect(rest.json().events.map((e: { type: string }) => e.type)).toEqual(['ACTIVE']);
    expect(rest.json().nextToken).toBeUndefined();
    const read = await as(
      { method: 'POST', url: '/data/alarm-events/read', payload: { until: new Date().toISOString() } },
      ['viewer'],
      'dave',
    );
    expect(read.statusCode).toBe(204);
    expect((await as({ url: '/data/alarm-events?limit=1' }, ['viewer'], 'dave')).json().unread).toBe(0);
    expect((await as({ url: '/data/alarm-events?nextToken=garbage' }, ['viewer'])).statusCode).toBe(400);
  });

  it('deleting a definition clears its open alarms in the name of the user', async () => {
    const definition = await define({ ...hot, scope: { kind: 'device', deviceId: 'del-1' } });
    await alarms.engine.evaluate([reading('del-1', Date.now() - 1000, { t: 99 })]);
    expect((await as({ method: 'DELETE', url: `/data/alarm-definitions/${definition.id}` }, ['viewer'])).statusCode).toBe(403);
    const deleted = await as({ method: 'DELETE', url: `/data/alarm-definitions/${definition.id}` }, ['operator'], 'erin');
    expect(deleted.statusCode).toBe(204);
    const events = (await as({ url: `/data/alarm-events?definitionId=${definition.id}` }, ['viewer'])).json().events;
    expect(events[0]).toMatchObject({ type: 'CLEARED', by: 'erin', eventId: `${definition.id}/del-1/1/CLEARED` });
    expect((await as({ url: `/data/alarms?definitionId=${definition.id}` }, ['viewer'])).json().alarms).toEqual([]);
    expect((await as({ method: 'DELETE', url: `/data/alarm-definitions/${definition.id}` }, ['operator'])).statusCode).toBe(404);
  });

  it('pages the alarm list across definitions', async () => {
    const definition = await define({ ...hot, scope: { kind: 'fleet' }, name: 'paged' });
    await alarms.engine.evaluate(['p-1', 'p-2', 'p-3'].map((d) => reading(d, Date.now() - 1000, { t: 99 })));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const res = await as({ url: `/data/alarms?definitionId=${definition.id}&limit=2${token ? `&nextToken=${token}` : ''}` }, ['viewer']);
      seen.push(...res.json().alarms.map((a: { deviceId: string }) => a.deviceId));
      token = res.json().nextToken;
    } while (token);
    expect(seen).toEqual(['p-1', 'p-2', 'p-3']);
    // One device across every definition, filtered by status.
    const ofDevice = await as({ url: '/data/alarms?deviceId=p-2&status=ACTIVE,ACKNOWLEDGED' }, ['viewer']);
    const found: { definitionId: string; deviceId: string; status: string }[] = ofDevice.json().alarms;
    expect(found.map((a) => a.definitionId)).toContain(definition.id);
    expect(found.every((a) => a.deviceId === 'p-2' && a.status === 'ACTIVE')).toBe(true);
    expect((await as({ url: '/data/alarms?deviceId=p-2&status=CLEARED' }, ['viewer'])).json().alarms).toEqual([]);
  });

  it('shows a caller granted thing group a the alarms and events of its devices alone, and acts on no other', async () => {
    const definition = await define({ ...hot, name: 'scoped' });
    await alarms.engine.evaluate(['grp-a-1', 'grp-b-1'].map((d) => reading(d, Date.now() - 1000, { t: 99 })));
    const scoped = ['operator', 'thing-group:a'];
    const list = await as({ url: `/data/alarms?definitionId=${definition.id}` }, scoped);
    expect(list.json().alarms.map((a: { deviceId: string }) => a.deviceId)).toEqual(['grp-a-1']);
    expect((await as({ url: `/data/alarms?definitionId=${definition.id}` }, ['viewer'])).json().alarms).toHaveLength(2);
    const feed = await as({ url: `/data/alarm-events?definitionId=${definition.id}` }, scoped);
    expect(feed.json().events.map((e: { alarm: { deviceId: string } }) => e.alarm.deviceId)).toEqual(['grp-a-1']);

    // Another group's alarm is answered as an alarm that does not exist, and stays ACTIVE.
    const act = (deviceId: string) =>
      as({ method: 'POST', url: `/data/alarms/${definition.id}/${deviceId}/acknowledge`, payload: { occurrence: 1 } }, scoped);
    const outside = await act('grp-b-1');
    expect({ status: outside.statusCode, body: outside.json() }).toEqual({
      status: 404,
      body: (await act('grp-a-nobody')).json(),
    });
    expect((await act('grp-a-1')).json()).toMatchObject({ status: 'ACKNOWLEDGED' });
    const b = await as({ url: `/data/alarms?definitionId=${definition.id}&deviceId=grp-b-1` }, ['operator']);
    expect(b.json().alarms).toEqual([expect.objectContaining({ status: 'ACTIVE' })]);
  });
});
