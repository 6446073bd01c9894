import { answerChecker, CommandExecutionPageSchema, DeviceConfigSchema, type CommandExecutionPage } from '@fleet/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asCaller } from '../test-support/as-caller.ts';
import { awsError } from '../test-support/fake-aws-client.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';
import { thingArnOf } from './device-control.ts';

let t: TestApp;
let certificateArn: string;
beforeAll(async () => {
  t = await startTestApp();
  const res = await asCaller(t.app, await t.bearer({ groups: ['operator'] })).post('/api/devices', { name: 'Pump', deviceId: 'pump-1' });
  certificateArn = res.json().device.certificateArn;
});
afterAll(() => t.close());
beforeEach(() => t.forgetCalls());

const operator = () => t.bearer({ groups: ['operator'], username: 'olga' });
const viewer = () => t.bearer({ groups: ['viewer'] });
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decoded = (payload: unknown) => JSON.parse(new TextDecoder().decode(payload as Uint8Array)) as unknown;

describe('GET /api/devices/:id/config', () => {
  it("answers desired, reported and pending (the delta) from the device's classic shadow", async () => {
    // The documented example of a shadow document (device-shadow-document.html), timestamps in epoch seconds.
    t.iotData.on({
      GetThingShadow: () => ({
        payload: json({
          state: { desired: { color: 'RED', sequence: ['RED', 'GREEN'] }, reported: { color: 'GREEN' }, delta: { color: 'RED' } },
          metadata: {
            desired: { color: { timestamp: 12345 }, sequence: { timestamp: 12346 } },
            reported: { color: { timestamp: 12340 } },
          },
          version: 10,
          timestamp: 123456789,
        }),
      }),
    });
    const res = await asCaller(t.app, await viewer()).get('/api/devices/pump-1/config');
    expect(res.statusCode).toBe(200);
    expect(answerChecker(DeviceConfigSchema)(res.json())).toMatchObject({ ok: true });
    expect(res.json()).toEqual({
      deviceId: 'pump-1',
      version: 10,
      desired: { color: 'RED', sequence: ['RED', 'GREEN'] },
      reported: { color: 'GREEN' },
      pending: { color: 'RED' },
      desiredAt: new Date(12346_000).toISOString(),
      reportedAt: new Date(12340_000).toISOString(),
    });
    expect(t.iotData.calls[0]?.input).toEqual({ thingName: 'pump-1' });
  });

  it('answers an empty configuration at version 0 before the first change', async () => {
    t.iotData.on({
      GetThingShadow: () => {
        throw awsError('ResourceNotFoundException', "No shadow exists with name: 'pump-1'");
      },
    });
    const res = await asCaller(t.app, await viewer()).get('/api/devices/pump-1/config');
    expect(res.json()).toEqual({ deviceId: 'pump-1', version: 0, desired: {}, reported: {}, pending: {} });
  });

  it('answers 404 DeviceNotFound for an unregistered device without asking the shadow', async () => {
    const res = await asCaller(t.app, await viewer()).get('/api/devices/ghost/config');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('DeviceNotFound');
    expect(t.iotData.names()).toEqual([]);
  });
});

describe('PUT /api/devices/:id/config', () => {
  it('updates the desired state with the expected version, then answers the whole configuration', async () => {
    t.iotData.on({
      UpdateThingShadow: () => ({ payload: json({ version: 4 }) }),
      GetThingShadow: () => ({
        payload: json({ state: { desired: { reportIntervalSeconds: 5 }, delta: { reportIntervalSeconds: 5 } }, version: 4 }),
      }),
    });
    const res = await asCaller(t.app, await operator()).put('/api/devices/pump-1/config', {
      desired: { reportIntervalSeconds: 5, obsolete: null },
      expectedVersion: 3,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ version: 4, pending: { reportIntervalSeconds: 5 } });
    expect(t.iotData.names()).toEqual(['UpdateThingShadow', 'GetThingShadow']);
    const input = t.iotData.calls[0]?.input ?? {};
    expect(input['thingName']).toBe('pump-1');
    expect(decoded(input['payload'])).toEqual({ state: { desired: { reportIntervalSeconds: 5, obsolete: null } }, version: 3 });
  });

  it("answers 409 ConfigVersionConflict when the shadow's version moved on", async () => {
    t.iotData.on({
      UpdateThingShadow: () => {
        throw awsError('ConflictException', 'Version conflict');
      },
    });
    const res = await asCaller(t.app, await operator()).put('/api/devices/pump-1/config', { desired: { a: 1 }, expectedVersion: 1 });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'ConfigVersionConflict' });
  });

  it('answers 400 for what the shadow refuses (too deep) and 413 for what is too large', async () => {
    t.iotData.on({
      UpdateThingShadow: () => {
        throw awsError('InvalidRequestException', 'JSON contains too many levels of nesting; maximum is 6');
      },
    });
    const deep = await asCaller(t.app, await operator()).put('/api/devices/pump-1/config', {
      desired: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } },
    });
    expect(deep.statusCode).toBe(400);
    expect(deep.json()).toMatchObject({ code: 'ValidationError', message: expect.stringContaining('nesting') });
    t.iotData.on({
      UpdateThingShadow: () => {
        throw awsError('RequestEntityTooLargeException', 'The payload exceeds the maximum size allowed');
      },
    });
    const large = await asCaller(t.app, await operator()).put('/api/devices/pump-1/config', { desired: { blob: 'x'.repeat(9000) } });
    expect(large.statusCode).toBe(413);
  });

  it('refuses viewers (403) and unknown fields (400) before any AWS call', async () => {
    expect((await asCaller(t.app, await viewer()).put('/api/devices/pump-1/config', { desired: { a: 1 } })).statusCode).toBe(403);
    const extra = await asCaller(t.app, await operator()).put('/api/devices/pump-1/config', { desired: { a: 1 }, reported: { a: 1 } });
    expect(extra.statusCode).toBe(400);
    expect(t.iotData.names()).toEqual([]);
  });
});

describe('commands (AWS IoT jobs)', () => {
  it("POST /api/devices/:id/commands creates a job targeting the device's thing, with the command as its document", async () => {
    t.iot.on({ CreateJob: (input) => ({ jobId: input['jobId'] }) });
    const res = await asCaller(t.app, await operator()).post('/api/devices/pump-1/commands', {
      command: 'set-interval',
      args: { seconds: 30 },
      timeoutMinutes: 2,
    });
    expect(res.statusCode).toBe(202);
    const { commandId, targets } = res.json();
    expect(commandId).toMatch(/^cmd-[a-z0-9]+-[0-9a-f]{8}$/);
    expect(targets).toEqual([thingArnOf(certificateArn, 'pump-1')]);
    expect(targets[0]).toBe('arn:aws:iot:us-east-1:000000000000:thing/pump-1');
    const input = t.iot.calls.find((c) => c.command === 'CreateJob')?.input ?? {};
    expect(input).toMatchObject({
      jobId: commandId,
      targets,
      targetSelection: 'SNAPSHOT',
      timeoutConfig: { inProgressTimeoutInMinutes: 2 },
    });
    expect(JSON.parse(String(input['document']))).toMatchObject({ command: 'set-interval', args: { seconds: 30 }, issuedBy: 'olga' });
  });

  it('answers 404 for an unknown device and 400 for a bad command name, creating no job', async () => {
    const auth = await operator();
    expect((await asCaller(t.app, auth).post('/api/devices/ghost/commands', { command: 'reboot' })).statusCode).toBe(404);
    const bad = await asCaller(t.app, auth).post('/api/devices/pump-1/commands', { command: 'rm -rf' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('body/command');
    expect(t.iot.names()).not.toContain('CreateJob');
  });

  it('POST /api/commands targets a list of devices or a thing group, not both', async () => {
    t.iot.on({
      CreateJob: (input) => ({ jobId: input['jobId'] }),
      DescribeThingGroup: (input) => {
        if (input['thingGroupName'] !== 'pumps') throw awsError('ResourceNotFoundException');
        return { thingGroupArn: 'arn:aws:iot:us-east-1:000000000000:thinggroup/pumps' };
      },
    });
    const auth = await operator();
    const toGroup = await asCaller(t.app, auth).post('/api/commands', { command: 'reboot', group: 'pumps' });
    expect(toGroup.statusCode).toBe(202);
    expect(toGroup.json().targets).toEqual(['arn:aws:iot:us-east-1:000000000000:thinggroup/pumps']);
    const toDevices = await asCaller(t.app, auth).post('/api/commands', { command: 'reboot', deviceIds: ['pump-1'] });
    expect(toDevices.json().targets).toEqual(['arn:aws:iot:us-east-1:000000000000:thing/pump-1']);
    expect((await asCaller(t.app, auth).post('/api/commands', { command: 'reboot', group: 'nope' })).json().code).toBe('GroupNotFound');
    const both = await asCaller(t.app, auth).post('/api/commands', { command: 'reboot', group: 'pumps', deviceIds: ['pump-1'] });
    expect(both.statusCode).toBe(400);
    expect((await asCaller(t.app, auth).post('/api/commands', { command: 'reboot' })).statusCode).toBe(400);
  });

  it("GET /api/devices/:id/commands answers each execution's state and the device's answer, newest first, reading each document once", async () => {
    const at = (s: number) => new Date(s * 1000);
    t.iot.on({
      ListJobExecutionsForThing: () => ({
        executionSummaries: [
          { jobId: 'cmd-a', jobExecutionSummary: { status: 'SUCCEEDED', queuedAt: at(100), lastUpdatedAt: at(110), executionNumber: 1 } },
          { jobId: 'cmd-b', jobExecutionSummary: { status: 'QUEUED', queuedAt: at(200), lastUpdatedAt: at(200), executionNumber: 1 } },
        ],
      }),
      DescribeJobExecution: (input) =>
        input['jobId'] === 'cmd-a'
          ? {
              execution: {
                jobId: 'cmd-a',
                thingArn: 'x',
                status: 'SUCCEEDED',
                statusDetails: { detailsMap: { applied: 'reportIntervalSeconds=30' } },
                queuedAt: at(100),
                startedAt: at(105),
                lastUpdatedAt: at(110),
                executionNumber: 1,
                versionNumber: 3,
              },
            }
          : {
              execution: {
                jobId: 'cmd-b',
                status: 'QUEUED',
                queuedAt: at(200),
                lastUpdatedAt: at(200),
                executionNumber: 1,
                versionNumber: 1,
              },
            },
      GetJobDocument: (input) => ({
        document: JSON.stringify({
          command: input['jobId'] === 'cmd-a' ? 'set-interval' : 'reboot',
          args: {},
          issuedBy: 'olga',
          issuedAt: at(1).toISOString(),
        }),
      }),
    });
    const first = await asCaller(t.app, await viewer()).get('/api/devices/pump-1/commands');
    expect(first.statusCode).toBe(200);
    expect(answerChecker(CommandExecutionPageSchema)(first.json())).toMatchObject({ ok: true });
    const page = first.json<CommandExecutionPage>();
    expect(page.items.map((i) => [i.commandId, i.command, i.status])).toEqual([
      ['cmd-b', 'reboot', 'QUEUED'],
      ['cmd-a', 'set-interval', 'SUCCEEDED'],
    ]);
    expect(page.items[1]).toMatchObject({
      answer: { applied: 'reportIntervalSeconds=30' },
      startedAt: at(105).toISOString(),
      versionNumber: 3,
    });
    await asCaller(t.app, await viewer()).get('/api/devices/pump-1/commands');
    expect(t.iot.names().filter((n) => n === 'GetJobDocument')).toHaveLength(2);
  });

  it('cancel maps AWS refusals: finished → 409 CommandStateConflict, unknown → 404 CommandNotFound', async () => {
    t.iot.on({
      CancelJobExecution: (input) => {
        if (input['jobId'] === 'cmd-done') throw awsError('InvalidStateTransitionException', 'already SUCCEEDED');
        if (input['jobId'] === 'cmd-none') throw awsError('ResourceNotFoundException');
        return {};
      },
      CancelJob: () => ({}),
    });
    const auth = await operator();
    expect((await asCaller(t.app, auth).post('/api/devices/pump-1/commands/cmd-ok/cancel', {})).statusCode).toBe(204);
    expect(t.iot.calls.at(-1)?.input).toEqual({ jobId: 'cmd-ok', thingName: 'pump-1', force: false });
    expect((await asCaller(t.app, auth).post('/api/devices/pump-1/commands/cmd-done/cancel', {})).json().code).toBe('CommandStateConflict');
    expect((await asCaller(t.app, auth).post('/api/devices/pump-1/commands/cmd-none/cancel', {})).json().code).toBe('CommandNotFound');
    expect((await asCaller(t.app, auth).post('/api/commands/cmd-ok/cancel', { force: true })).statusCode).toBe(204);
    expect(t.iot.calls.at(-1)?.input).toEqual({ jobId: 'cmd-ok', force: true });
    expect((await asCaller(t.app, await viewer()).post('/api/commands/cmd-ok/cancel', {})).statusCode).toBe(403);
  });
});
