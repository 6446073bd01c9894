import { metricSettingsTable } from '@fleet/core';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const as = async (groups: string[], username = 'alice') => asCaller(t.app, await t.bearer({ groups, username }));

describe('metric display settings', () => {
  it('stores a setting in its own table, and every role reads it back', async () => {
    const operator = await as(['operator'], 'olga');
    const put = await operator.put('/api/metric-settings/temperature', { label: 'Temperature', unit: '°C', decimals: 1 });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ metric: 'temperature', label: 'Temperature', unit: '°C', decimals: 1, updatedBy: 'olga' });
    const item = await t.dynamo.doc.send(new GetCommand({ TableName: metricSettingsTable.id, Key: { metric: 'temperature' } }));
    expect(item.Item).toMatchObject({ unit: '°C', decimals: 1 });

    for (const groups of [['viewer'], ['operator'], ['admin'], []]) {
      const list = await (await as(groups, 'vera')).get('/api/metric-settings');
      expect(list.statusCode, groups.join()).toBe(200);
      expect(list.json().settings.map((s: { metric: string; unit?: string }) => [s.metric, s.unit])).toEqual([['temperature', '°C']]);
    }
  });

  it('replaces a setting whole: a field left out is back to its default', async () => {
    const admin = await as(['admin']);
    await admin.put('/api/metric-settings/humidity', { unit: '%', decimals: 0 });
    const again = await admin.put('/api/metric-settings/humidity', { unit: '%' });
    expect(again.json()).not.toHaveProperty('decimals');
    const list = (await admin.get('/api/metric-settings')).json<{ settings: { metric: string }[] }>();
    expect(list.settings.map((s) => s.metric)).toEqual(['humidity', 'temperature']);
  });

  it('refuses viewers changing or removing a setting (403), and leaves it as it was', async () => {
    const viewer = await as(['viewer'], 'vera');
    const put = await viewer.put('/api/metric-settings/temperature', { unit: 'K' });
    expect(put.statusCode).toBe(403);
    expect(put.json().code).toBe('Forbidden');
    expect((await viewer.delete('/api/metric-settings/temperature')).statusCode).toBe(403);
    const list = (await viewer.get('/api/metric-settings')).json<{ settings: { metric: string; unit: string }[] }>();
    expect(list.settings.find((s) => s.metric === 'temperature')?.unit).toBe('°C');
  });

  it('answers 400 with what was expected for a bad name, unit, decimals or an unknown field', async () => {
    const admin = await as(['admin']);
    for (const [url, body, mention] of [
      ['/api/metric-settings/9lives', { unit: 'x' }, 'metric'],
      ['/api/metric-settings/temperature', { decimals: 7 }, 'decimals'],
      ['/api/metric-settings/temperature', { decimals: 1.5 }, 'decimals'],
      ['/api/metric-settings/temperature', { unit: '' }, 'unit'],
      ['/api/metric-settings/temperature', { unit: 'x'.repeat(17) }, 'unit'],
      ['/api/metric-settings/temperature', { colour: 'red' }, 'colour'],
    ] as const) {
      const res = await admin.put(url, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('ValidationError');
      expect(res.json().message).toContain(mention);
    }
  });

  it('removes a setting (204), then answers 404 MetricSettingNotFound for it', async () => {
    const operator = await as(['operator']);
    await operator.put('/api/metric-settings/pressure', { unit: 'hPa' });
    expect((await operator.delete('/api/metric-settings/pressure')).statusCode).toBe(204);
    const again = await operator.delete('/api/metric-settings/pressure');
    expect(again.statusCode).toBe(404);
    expect(again.json()).toEqual({ code: 'MetricSettingNotFound', message: 'Metric "pressure" has no display setting' });
  });

  it('refuses a caller without a token (401)', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/metric-settings' })).statusCode).toBe(401);
  });
});
