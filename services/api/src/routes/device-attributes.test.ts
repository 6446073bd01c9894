import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerChecker, DeviceAttributesSchema } from '@fleet/core';
import { asCaller, type ApiCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
let operator: ApiCaller;
let viewer: ApiCaller;
const isAnswer = answerChecker(DeviceAttributesSchema);

beforeAll(async () => {
  t = await startTestApp();
  operator = asCaller(t.app, await t.bearer({ groups: ['operator'] }));
  viewer = asCaller(t.app, await t.bearer({ username: 'vera', groups: ['viewer'] }));
  const registered = await operator.post('/api/devices', { name: 'Pump 1', deviceId: 'pump-1', attributes: { site: 'lyon', floor: '2' } });
  expect(registered.statusCode).toBe(201);
});
afterAll(() => t.close());
beforeEach(() => t.forgetCalls());

const idsWith = async (attribute: string) =>
  (await operator.get(`/api/devices?attribute=${encodeURIComponent(attribute)}`)).json().items.map((d: { deviceId: string }) => d.deviceId);

describe('GET /api/devices/:id/attributes', () => {
  it("answers the thing's attributes, Fleet's own included, and its version", async () => {
    const res = await viewer.get('/api/devices/pump-1/attributes');
    expect(res.statusCode).toBe(200);
    expect(isAnswer(res.json()).ok).toBe(true);
    expect(res.json()).toEqual({ attributes: { site: 'lyon', floor: '2', owner: 'sub-alice', name: 'Pump_1' }, version: 1 });
  });

  it('answers 404 DeviceNotFound for a device not registered', async () => {
    const res = await viewer.get('/api/devices/ghost-1/attributes');
    expect([res.statusCode, res.json().code]).toEqual([404, 'DeviceNotFound']);
  });
});

describe('PUT /api/devices/:id/attributes', () => {
  it('replaces the user’s attributes with one UpdateThing guarded by the version, keeps Fleet’s, and the list filters on the change at once', async () => {
    expect(await idsWith('site=lyon')).toEqual(['pump-1']);
    const res = await operator.put('/api/devices/pump-1/attributes', { attributes: { site: 'paris', room: '12' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ attributes: { site: 'paris', room: '12', owner: 'sub-alice', name: 'Pump_1' }, version: 2 });
    const update = t.iot.calls.filter((c) => c.command === 'UpdateThing');
    expect(update.map((c) => c.input)).toEqual([
      { thingName: 'pump-1', attributePayload: { attributes: { floor: '', site: 'paris', room: '12' }, merge: true }, expectedVersion: 1 },
    ]);
    expect(await idsWith('site=paris')).toEqual(['pump-1']);
    expect(await idsWith('site=lyon')).toEqual([]);
    expect(await idsWith('floor')).toEqual([]);
  });

  it('writes nothing when nothing changes, and removes every user attribute with {}', async () => {
    const same = await operator.put('/api/devices/pump-1/attributes', { attributes: { site: 'paris', room: '12' } });
    expect(same.statusCode).toBe(200);
    expect(t.iot.names()).not.toContain('UpdateThing');
    const none = await operator.put('/api/devices/pump-1/attributes', { attributes: {} });
    expect(none.json().attributes).toEqual({ owner: 'sub-alice', name: 'Pump_1' });
  });

  it("refuses Fleet's own names and what AWS IoT could not hold, with 400 ValidationError", async () => {
    for (const attributes of [{ owner: 'mallory' }, { name: 'x' }, { site: 'two words' }, { 'bad key': 'x' }, { site: '' }]) {
      const res = await operator.put('/api/devices/pump-1/attributes', { attributes });
      expect([res.statusCode, res.json().code], JSON.stringify(attributes)).toEqual([400, 'ValidationError']);
    }
    expect((await operator.put('/api/devices/pump-1/attributes', { site: 'x' })).statusCode).toBe(400);
    expect(t.iot.names()).not.toContain('UpdateThing');
  });

  it('needs manageDevices: a viewer gets 403, and nothing is written', async () => {
    const res = await viewer.put('/api/devices/pump-1/attributes', { attributes: { site: 'x' } });
    expect([res.statusCode, res.json().code]).toEqual([403, 'Forbidden']);
    expect(t.iot.names()).toEqual([]);
  });

  it('reads the thing again when it changed meanwhile, and answers 409 Conflict when it keeps changing', async () => {
    const state = t.iotState;
    /** DescribeThing as AWS answers it, after which `changesAfterRead` more changes happen elsewhere (the version moves on). */
    let changesAfterRead = 1;
    t.iot.on({
      DescribeThing: (input) => {
        const name = String(input['thingName']);
        const answer = { thingName: name, attributes: { ...state.thingAttributes.get(name) }, version: state.thingVersions.get(name) ?? 1 };
        if (changesAfterRead-- > 0) state.thingVersions.set(name, answer.version + 1);
        return answer;
      },
    });
    const once = await operator.put('/api/devices/pump-1/attributes', { attributes: { site: 'berlin' } });
    expect(once.statusCode).toBe(200);
    expect(once.json().attributes.site).toBe('berlin');
    const updates = t.iot.calls.filter((c) => c.command === 'UpdateThing').map((c) => c.input['expectedVersion']);
    expect(updates).toHaveLength(2);
    expect(updates[1]).toBe((updates[0] as number) + 1);
    changesAfterRead = Infinity;
    const always = await operator.put('/api/devices/pump-1/attributes', { attributes: { site: 'rome' } });
    expect([always.statusCode, always.json().code]).toEqual([409, 'Conflict']);
    expect(state.thingAttributes.get('pump-1')?.['site']).toBe('berlin');
  });
});
