import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sqlErrorPosition } from '@fleet/core';
import { asCaller, type ApiCaller } from '../test-support/as-caller.ts';
import { fakeTopicRules, type FakeTopicRules } from '../test-support/fake-topic-rules.ts';
import { startTestApp, testConfig, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
let aws: FakeTopicRules;
let admin: ApiCaller;
let operator: ApiCaller;
let viewer: ApiCaller;

const hotRule = {
  name: 'hot_devices',
  description: 'Hot devices to a webhook and the notifications topic',
  sql: "SELECT topic(3) AS deviceId, temperature FROM 'fleet/devices/+/telemetry' WHERE temperature > 50",
  actions: [
    { kind: 'republish', topic: 'fleet/rules/hot/${topic(3)}' },
    { kind: 'webhook', url: 'https://hooks.example.com/fleet' },
    { kind: 'notify' },
  ],
};

beforeAll(async () => {
  t = await startTestApp();
  admin = asCaller(t.app, await t.bearer({ groups: ['admin'], username: 'ada' }));
  operator = asCaller(t.app, await t.bearer({ groups: ['operator'], username: 'otto' }));
  viewer = asCaller(t.app, await t.bearer({ groups: ['viewer'], username: 'vera' }));
});
beforeEach(() => {
  aws = fakeTopicRules();
  t.iot.on(aws.handlers);
  t.forgetCalls();
});
afterAll(async () => {
  await t.close();
});

describe('rules routes', () => {
  it('creates a user rule as user_<name> with the user-rules role, a destination for its webhook and RAW notifications', async () => {
    const res = await admin.post('/api/rules', hotRule);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'hot_devices',
      enabled: true,
      platform: false,
      createdAt: '2026-12-01T10:00:00.000Z',
      actions: [
        { kind: 'republish', topic: 'fleet/rules/hot/${topic(3)}' },
        { kind: 'webhook', url: 'https://hooks.example.com/fleet', destinationStatus: 'IN_PROGRESS' },
        { kind: 'notify' },
      ],
    });
    expect(aws.rules.get('user_hot_devices')?.actions).toEqual([
      { republish: { roleArn: testConfig.userRulesRoleArn, topic: 'fleet/rules/hot/${topic(3)}', qos: 0 } },
      { http: { url: 'https://hooks.example.com/fleet' } },
      { sns: { targetArn: testConfig.alarmTopicArn, roleArn: testConfig.userRulesRoleArn, messageFormat: 'RAW' } },
    ]);
    expect(t.iot.names().indexOf('CreateTopicRuleDestination')).toBeLessThan(t.iot.names().indexOf('CreateTopicRule'));
  });

  it('answers RuleExists for a second rule of the same name, reusing the destination of its URL', async () => {
    await admin.post('/api/rules', hotRule);
    const again = await admin.post('/api/rules', hotRule);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('RuleExists');
    expect(t.iot.names().filter((n) => n === 'CreateTopicRuleDestination')).toHaveLength(1);
  });

  it('lists the platform rules read-only before the users rules, and only user_ rules from AWS', async () => {
    await admin.post('/api/rules', hotRule);
    const res = await operator.get('/api/rules');
    expect(res.statusCode).toBe(200);
    const listed = res.json().rules as { name: string; platform: boolean }[];
    expect(listed.filter((r) => r.platform).map((r) => r.name)).toContain('fleet_telemetry_ingest');
    expect(listed.filter((r) => !r.platform).map((r) => r.name)).toEqual(['hot_devices']);
    expect(listed.find((r) => r.name === 'fleet_telemetry_ingest')).toMatchObject({
      actions: [{ kind: 'other', type: 'sqs' }],
      enabled: true,
    });
  });

  it('refuses every change of a platform rule with RuleProtected, without calling AWS', async () => {
    const answers = await Promise.all([
      admin.put('/api/rules/fleet_telemetry_ingest', { sql: hotRule.sql, actions: [{ kind: 'notify' }] }),
      admin.delete('/api/rules/fleet_presence'),
      admin.post('/api/rules/fleet_presence/disable', {}),
      admin.post('/api/rules', { ...hotRule, name: 'fleet_mine' }),
    ]);
    expect(answers.map((a) => [a.statusCode, a.json().code])).toEqual(Array(4).fill([403, 'RuleProtected']));
    expect(t.iot.calls).toEqual([]);
  });

  it('reads a platform rule from its definition and answers RuleNotFound for an unknown name', async () => {
    expect((await operator.get('/api/rules/fleet_presence')).json()).toMatchObject({ name: 'fleet_presence', platform: true });
    const missing = await operator.get('/api/rules/nothing_here');
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'RuleNotFound']);
    // Longer than any user rule's name: not asked of AWS, which refuses names beyond 128 characters.
    const tooLong = await operator.get(`/api/rules/${'x'.repeat(101)}`);
    expect([tooLong.statusCode, tooLong.json().code]).toEqual([404, 'RuleNotFound']);
    expect(t.iot.names()).toEqual(['GetTopicRule']);
  });

  it('replaces, disables, enables and deletes a user rule', async () => {
    await admin.post('/api/rules', hotRule);
    const replaced = await admin.put('/api/rules/hot_devices', { sql: hotRule.sql, actions: [{ kind: 'notify' }], enabled: false });
    expect(replaced.json()).toMatchObject({ enabled: false, actions: [{ kind: 'notify' }] });
    expect((await admin.post('/api/rules/hot_devices/enable', {})).json().enabled).toBe(true);
    expect((await admin.post('/api/rules/hot_devices/disable', {})).json().enabled).toBe(false);
    expect((await admin.delete('/api/rules/hot_devices')).statusCode).toBe(204);
    expect(aws.rules.has('user_hot_devices')).toBe(false);
    const gone = await admin.delete('/api/rules/hot_devices');
    expect([gone.statusCode, gone.json().code]).toEqual([404, 'RuleNotFound']);
  });

  it('refuses bad SQL with a ValidationError naming its position, before AWS is called', async () => {
    const res = await admin.post('/api/rules', { ...hotRule, sql: "SELECT FROM 'fleet/#'" });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('ValidationError');
    expect(sqlErrorPosition(res.json().message)).toBeTypeOf('number');
    expect(t.iot.calls).toEqual([]);
  });

  it('refuses republish topics outside fleet/rules/', async () => {
    const res = await admin.post('/api/rules', { ...hotRule, actions: [{ kind: 'republish', topic: 'fleet/devices/x/telemetry' }] });
    expect([res.statusCode, res.json().code]).toEqual([400, 'ValidationError']);
  });

  it('lets operators read but not manage rules, and refuses viewers', async () => {
    expect((await operator.post('/api/rules', hotRule)).statusCode).toBe(403);
    expect((await operator.delete('/api/rules/hot_devices')).statusCode).toBe(403);
    expect((await viewer.get('/api/rules')).statusCode).toBe(403);
    expect((await viewer.post('/api/rules/test', { sql: hotRule.sql, topic: 'a', payload: {} })).statusCode).toBe(403);
  });
});

describe('rule test bench', () => {
  const test = (body: object) => operator.post('/api/rules/test', body);

  it('runs the SQL on a sample message and answers its output', async () => {
    const res = await test({ sql: hotRule.sql, topic: 'fleet/devices/sensor-1/telemetry', payload: { temperature: 61.5 } });
    expect(res.json()).toEqual({ matched: true, output: { deviceId: 'sensor-1', temperature: 61.5 } });
  });

  it('says when WHERE or the topic does not match', async () => {
    expect((await test({ sql: hotRule.sql, topic: 'fleet/devices/s/telemetry', payload: { temperature: 20 } })).json()).toEqual({
      matched: false,
    });
    expect((await test({ sql: hotRule.sql, topic: 'other/topic', payload: { temperature: 99 } })).json()).toEqual({ matched: false });
  });

  it('takes a string as the raw payload: SELECT * of a non-JSON payload answers its bytes', async () => {
    const res = await test({ sql: "SELECT * FROM 'raw/#'", topic: 'raw/1', payload: 'not json' });
    expect(res.json()).toEqual({ matched: true, outputBase64: btoa('not json') });
  });

  it('says which function it cannot run because it calls another AWS service', async () => {
    const res = await test({
      sql: "SELECT aws_lambda('arn:aws:lambda:us-east-1:1:function:f', *) AS r FROM 'a/#'",
      topic: 'a/b',
      payload: {},
    });
    expect([res.statusCode, res.json().code]).toEqual([400, 'ValidationError']);
    expect(res.json().message).toMatch(/aws_lambda\(\)/);
  });

  it('answers a syntax error with its position in the SQL', async () => {
    const sql = "SELECT temperature FROM 'fleet/#' WHERE temperature >";
    const res = await test({ sql, topic: 'fleet/x', payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('ValidationError');
    expect(res.json().message).toMatch(/^SQL error at position \d+: /);
    expect(sqlErrorPosition(res.json().message)).toBeGreaterThan(sql.indexOf('WHERE'));
  });
});
