/** Alarms on the DynamoDB stand-in: definitions, the write protocol under races and crashes, the outbox. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { alarmLimits, alarmsTable, type AlarmDefinitionInput, type AlarmNotification } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { markerGraceMs } from './outbox-drain.ts';
import { failingDynamo, fakeIot, fakeSns, reading, storedEvents, testAlarms, topicArn } from './testing/alarm-fixtures.ts';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => aws.close());

const hot = (over: Partial<AlarmDefinitionInput> = {}): AlarmDefinitionInput => ({
  name: 'Too hot',
  scope: { kind: 'fleet' },
  condition: { kind: 'above', metric: 't', threshold: 80 },
  severity: 'critical',
  ...over,
});
const base = Date.UTC(2026, 0, 2, 10);
const day = '2026-01-02';

describe('alarm definitions', () => {
  it('creates with defaults, updates with the version, refuses a stale expectedVersion and deletes', async () => {
    const alarms = testAlarms({ dynamo: aws.dynamo, sns: fakeSns() });
    const created = await alarms.definitions.create(hot(), 'alice');
    if (!created.ok) throw new Error(created.message);
    expect(created.definition).toMatchObject({
      version: 1,
      enabled: true,
      autoClear: true,
      duration: { kind: 'immediate' },
      createdBy: 'alice',
    });
    const id = created.definition.id;
    const updated = await alarms.definitions.update(id, hot({ severity: 'minor' }), 1);
    expect(updated).toMatchObject({ ok: true, definition: { version: 2, severity: 'minor', createdBy: 'alice' } });
    expect(await alarms.definitions.update(id, hot(), 1)).toMatchObject({ ok: false, code: 'AlarmStateConflict' });
    expect(await alarms.definitions.update('nope', hot(), undefined)).toMatchObject({ ok: false, code: 'AlarmDefinitionNotFound' });
    expect((await alarms.definitions.delete(id))?.id).toBe(id);
    expect(await alarms.definitions.get(id)).toBeUndefined();
    expect(await alarms.definitions.delete(id)).toBeUndefined();
  });

  it(`refuses more than ${alarmLimits.maxDefinitions} definitions`, async () => {
    const local = await startLocalAws();
    try {
      const alarms = testAlarms({ dynamo: local.dynamo, sns: fakeSns() });
      for (let i = 0; i < alarmLimits.maxDefinitions; i++) expect((await alarms.definitions.create(hot(), 'alice')).ok).toBe(true);
      expect(await alarms.definitions.create(hot(), 'alice')).toMatchObject({ ok: false, code: 'AlarmLimitExceeded' });
    } finally {
      await local.close();
    }
  }, 60_000);
});

describe('evaluation on ingest, written exactly once', () => {
  it('writes one ACTIVE event and publishes it with the subject and filterable attributes', async () => {
    const sns = fakeSns();
    const alarms = testAlarms({ dynamo: aws.dynamo, sns });
    const created = await alarms.definitions.create(hot({ scope: { kind: 'device', deviceId: 'solo-1' } }), 'alice');
    if (!created.ok) throw new Error(created.message);
    const id = created.definition.id;
    const result = await alarms.engine.evaluate([reading('solo-1', base, { t: 90 }), reading('other', base, { t: 99 })]);
    expect(result).toMatchObject({ transitions: 1 });
    expect(result.failedDevices.size).toBe(0);
    expect(sns.published).toHaveLength(1);
    const [published] = sns.published;
    expect(published).toMatchObject({
      TopicArn: topicArn,
      Subject: '[Fleet] CRITICAL ACTIVE: Too hot on solo-1',
      MessageAttributes: {
        severity: { StringValue: 'critical' },
        type: { StringValue: 'ACTIVE' },
        deviceId: { StringValue: 'solo-1' },
        definitionId: { StringValue: id },
      },
    });
    const notification = JSON.parse(published!.Message) as AlarmNotification;
    expect(notification).toMatchObject({ kind: 'fleet.alarm', event: { eventId: `${id}/solo-1/1/ACTIVE`, type: 'ACTIVE' } });
    // Nothing left pending or in the outbox.
    const state = await alarms.states.get(id, 'solo-1');
    expect(state).toMatchObject({ version: 1, pending: [], state: { alarm: { status: 'ACTIVE', occurrence: 1 } } });
    expect(await alarms.drain.drain()).toBe(0);
    await alarms.definitions.delete(id);
  });

  it('two tasks evaluating the same device at once write exactly one ACTIVE event', async () => {
    const sns = fakeSns();
    const taskA = testAlarms({ dynamo: aws.dynamo, sns });
    const taskB = testAlarms({ dynamo: aws.dynamo, sns });
    const created = await taskA.definitions.create(hot({ scope: { kind: 'device', deviceId: 'race-1' } }), 'alice');
    if (!created.ok) throw new Error(created.message);
    const id = created.definition.id;
    // The same message delivered to both, and each with readings of its own.
    const both = [reading('race-1', base + 1000, { t: 90 })];
    const [a, b] = await Promise.all([
      taskA.engine.evaluate([...both, reading('race-1', base + 2000, { t: 91 })]),
      taskB.engine.evaluate([...both, reading('race-1', base + 3000, { t: 92 })]),
    ]);
    expect(a.failedDevices.size + b.failedDevices.size).toBe(0);
    const events = (await storedEvents(aws.dynamo, [day])).filter((e) => e.alarm.definitionId === id);
    expect(events.map((e) => e.eventId)).toEqual([`${id}/race-1/1/ACTIVE`]);
    expect(sns.eventIds().filter((e) => e.startsWith(id))).toEqual([`${id}/race-1/1/ACTIVE`]);
    expect((await taskA.states.get(id, 'race-1'))?.state.alarm).toMatchObject({ status: 'ACTIVE', occurrence: 1 });
    await taskA.definitions.delete(id);
  });

  it('a crash between the state write and the event write, then the redelivery: one event, one notification', async () => {
    const sns = fakeSns();
    const healthy = testAlarms({ dynamo: aws.dynamo, sns });
    const created = await healthy.definitions.create(hot({ scope: { kind: 'device', deviceId: 'crash-1' } }), 'alice');
    if (!created.ok) throw new Error(created.message);
    const id = created.definition.id;
    // The process dies as it writes the event item: the state (with its pending event) is written.
    const crashing = testAlarms({
      dynamo: failingDynamo(
        aws.dynamo,
        (c) =>
          c.constructor.name === 'PutCommand' && String(c.input['Item'] && (c.input['Item'] as { pk: string }).pk).startsWith('events#'),
      ),
      sns,
    });
    const message = [reading('crash-1', base + 5000, { t: 95 })];
    const first = await crashing.engine.evaluate(message);
    expect([...first.failedDevices]).toEqual(['crash-1']);
    expect(sns.published.filter((p) => p.Message.includes(id))).toHaveLength(0);
    expect((await healthy.states.get(id, 'crash-1'))?.pending).toHaveLength(1);
    // The message is redelivered (twice, to be sure): the same event is found and finished, nothing is evaluated twice.
    await healthy.engine.evaluate(message);
    await healthy.engine.evaluate(message);
    const events = (await storedEvents(aws.dynamo, [day])).filter((e) => e.alarm.definitionId === id);
    expect(events.map((e) => e.eventId)).toEqual([`${id}/crash-1/1/ACTIVE`]);
    expect(sns.eventIds().filter((e) => e.startsWith(id))).toEqual([`${id}/crash-1/1/ACTIVE`]);
    expect((await healthy.states.get(id, 'crash-1'))?.pending).toEqual([]);
    await healthy.definitions.delete(id);
  });

  it('the drain finishes a transition nobody redelivers, and publishes what SNS refused', async () => {
    const sns = fakeSns();
    let now = Date.now();
    const healthy = testAlarms({ dynamo: aws.dynamo, sns, now: () => now });
    const created = await healthy.definitions.create(hot({ scope: { kind: 'device', deviceId: 'drain-1' } }), 'alice');
    if (!created.ok) throw new Error(created.message);
    const id = created.definition.id;
    const crashing = testAlarms({
      dynamo: failingDynamo(
        aws.dynamo,
        (c) => c.constructor.name === 'PutCommand' && String((c.input['Item'] as { pk?: string } | undefined)?.pk).startsWith('events#'),
      ),
      sns,
      now: () => now,
    });
    await crashing.engine.evaluate([reading('drain-1', base + 7000, { t: 95 })]);
    // Young markers belong to writers at work; SNS is down at the first pass after the grace.
    expect(await healthy.drain.drain()).toBe(0);
    now += markerGraceMs + 1;
    sns.failing = true;
    await healthy.drain.drain();
    expect(sns.published).toHaveLength(0);
    sns.failing = false;
    now += markerGraceMs + 1;
    expect(await healthy.drain.drain()).toBe(1);
    expect(await healthy.drain.drain()).toBe(0);
    expect(sns.eventIds()).toEqual([`${id}/drain-1/1/ACTIVE`]);
    const events = (await storedEvents(aws.dynamo, [day])).filter((e) => e.alarm.definitionId === id);
    expect(events).toHaveLength(1);
    await healthy.definitions.delete(id);
  });

  it("a crash in a user's acknowledge is finished by the next change of that alarm, each event once", async () => {
    const sns = fakeSns();
    const healthy = testAlarms({ dynamo: aws.dynamo, sns });
    const created = await healthy.definitions.create(hot({ scope: { kind: 'device', deviceId: 'ack-crash' }, autoClear: false }), 'alice');
    if (!created.ok) throw new Error(created.message);
    const id = created.definition.id;
    await healthy.engine.evaluate([reading('ack-crash', base + 11_000, { t: 95 })]);
    const crashing = testAlarms({
      dynamo: failingDynamo(
        aws.dynamo,
        (c) => c.constructor.name === 'PutCommand' && String((c.input['Item'] as { pk?: string } | undefined)?.pk).startsWith('events#'),
      ),
      sns,
    });
    const { applyUserAction } = await import('./alarm-actions.ts');
    const act = (action: 'acknowledge' | 'clear', by: string) => (current: Parameters<typeof applyUserAction>[0]) => {
      const outcome = applyUserAction(current, action, { occurrence: 1, by, at: new Date(base + 12_000).toISOString() });
      return outcome.ok ? { ok: true as const, state: outcome.state, events: [outcome.event] } : outcome;
    };
    await expect(crashing.writer.apply(id, 'ack-crash', act('acknowledge', 'bob'))).rejects.toThrow(/crash/);
    // The acknowledgement itself is durable (the state says so): acknowledging again is a conflict.
    expect(await healthy.writer.apply(id, 'ack-crash', act('acknowledge', 'bob'))).toMatchObject({ ok: false, code: 'AlarmStateConflict' });
    await healthy.writer.apply(id, 'ack-crash', act('clear', 'carol'));
    const types = (await storedEvents(aws.dynamo, [day])).filter((e) => e.alarm.definitionId === id).map((e) => e.type);
    expect(types.sort()).toEqual(['ACKNOWLEDGED', 'ACTIVE', 'CLEARED']);
    expect(sns.eventIds().filter((e) => e.startsWith(id))).toEqual(
      ['ACTIVE', 'ACKNOWLEDGED', 'CLEARED'].map((t) => `${id}/ack-crash/1/${t}`),
    );
    await healthy.definitions.delete(id);
  });

  it('drops an outbox entry put again after its event was published, without publishing it twice', async () => {
    const sns = fakeSns();
    let now = Date.now();
    const alarms = testAlarms({ dynamo: aws.dynamo, sns, now: () => now });
    const created = await alarms.definitions.create(hot({ scope: { kind: 'device', deviceId: 'again-1' } }), 'alice');
    if (!created.ok) throw new Error(created.message);
    const id = created.definition.id;
    await alarms.engine.evaluate([reading('again-1', base + 9000, { t: 95 })]);
    expect(sns.eventIds()).toEqual([`${id}/again-1/1/ACTIVE`]);
    // A settler that read the pending event before it was published writes its outbox entry again.
    const [event] = await storedEvents(aws.dynamo, [day]).then((all) => all.filter((e) => e.alarm.definitionId === id));
    const { createOutbox } = await import('./outbox.ts');
    await createOutbox({ client: aws.dynamo, tableName: alarmsTable.id, now: () => now }).putNotification(event!);
    now += markerGraceMs + 1;
    expect(await alarms.drain.drain()).toBe(0);
    expect(sns.eventIds()).toEqual([`${id}/again-1/1/ACTIVE`]);
    await alarms.definitions.delete(id);
  });

  it('evaluates group scopes from the thing groups of each device, and nothing for a disabled definition', async () => {
    const sns = fakeSns();
    const alarms = testAlarms({ dynamo: aws.dynamo, sns, iot: fakeIot({ 'g-1': ['boilers'], 'g-2': ['fridges'] }) });
    const group = await alarms.definitions.create(hot({ scope: { kind: 'group', groupName: 'boilers' } }), 'alice');
    const off = await alarms.definitions.create(hot({ enabled: false }), 'alice');
    if (!group.ok || !off.ok) throw new Error('definitions not created');
    await alarms.engine.evaluate([reading('g-1', base, { t: 90 }), reading('g-2', base, { t: 90 })]);
    expect(sns.eventIds()).toEqual([`${group.definition.id}/g-1/1/ACTIVE`]);
    const item = await aws.dynamo.send(new GetCommand({ TableName: alarmsTable.id, Key: { pk: `alarm#${off.definition.id}`, sk: 'g-1' } }));
    expect(item.Item).toBeUndefined();
    await alarms.definitions.delete(group.definition.id);
    await alarms.definitions.delete(off.definition.id);
  });

  it('reads no state and writes nothing when no definition is enabled', async () => {
    const local = await startLocalAws();
    try {
      const sent: string[] = [];
      const dynamo = failingDynamo(local.dynamo, (c) => {
        sent.push(c.constructor.name);
        return false;
      });
      const alarms = testAlarms({ dynamo, sns: fakeSns() });
      await alarms.engine.evaluate([reading('quiet', base, { t: 99 }), reading('quiet', base + 1, { t: 99 })]);
      expect(sent).toEqual(['QueryCommand']);
    } finally {
      await local.close();
    }
  });
});

describe('the silent-device sweep', () => {
  it('activates a noData alarm once for a silent device, also with two sweeping tasks', async () => {
    const local = await startLocalAws();
    try {
      const sns = fakeSns();
      const now = base + 10 * 60_000;
      const [a, b] = [testAlarms({ dynamo: local.dynamo, sns, now: () => now }), testAlarms({ dynamo: local.dynamo, sns, now: () => now })];
      const created = await a.definitions.create(hot({ condition: { kind: 'noData', silentMinutes: 5 } }), 'alice');
      if (!created.ok) throw new Error(created.message);
      const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
      await local.dynamo.send(
        new PutCommand({
          TableName: local.tableNames.latest,
          Item: { deviceId: 'mute-1', ts: base, seq: 1, values: {}, receivedAt: base },
        }),
      );
      await local.dynamo.send(
        new PutCommand({
          TableName: local.tableNames.latest,
          Item: { deviceId: 'chatty', ts: now - 1000, seq: 1, values: {}, receivedAt: now },
        }),
      );
      const [x, y] = await Promise.all([a.sweep.sweep(), b.sweep.sweep()]);
      expect(x + y).toBe(1);
      expect(sns.eventIds()).toEqual([`${created.definition.id}/mute-1/1/ACTIVE`]);
      expect(await a.sweep.sweep()).toBe(0);
      // Its next reading clears it.
      await a.engine.evaluate([reading('mute-1', now, { t: 1 })]);
      expect(sns.eventIds()).toEqual([`${created.definition.id}/mute-1/1/ACTIVE`, `${created.definition.id}/mute-1/1/CLEARED`]);
    } finally {
      await local.close();
    }
  });
});
