/** `GET|PUT /data/retention` over the real store on dynalite, called as users of each role. */
import { defaultRetentionSettings, type RetentionSettingsInput } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { createRetentionStore } from '../retention/retention-store.ts';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { emptyStores } from '../testing/empty-stores.ts';
import { createTestCallers, type TestCallers } from '../testing/test-callers.ts';

const now = Date.UTC(2026, 3, 1);

describe('retention routes', () => {
  let aws: LocalAws;
  let callers: TestCallers;
  let app: ReturnType<typeof buildApp>;
  const applied: number[] = [];

  beforeAll(async () => {
    [aws, callers] = await Promise.all([startLocalAws(), createTestCallers()]);
    app = buildApp({
      logger: pino({ level: 'silent' }),
      verifier: callers.verifier,
      ...emptyStores,
      retention: {
        store: createRetentionStore({ client: aws.dynamo, tableName: aws.tableNames.dataControl, now: () => now }),
        applyArchiveDays: async (days) => applied.push(days),
      },
    });
  });
  afterAll(async () => {
    await app.close();
    await aws.close();
  });

  const as = async (groups: string[], method: 'GET' | 'PUT', payload?: unknown) =>
    app.inject({
      method,
      url: '/data/retention',
      headers: { authorization: `Bearer ${await callers.tokens.accessToken({ groups, username: 'ada', sub: 'sub-ada' })}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const input: RetentionSettingsInput = {
    fleet: { ...defaultRetentionSettings.fleet, rawDays: 14, archiveDays: 90 },
    groups: { freezers: { rawDays: 60, minuteDays: 120 } },
  };

  it('answers the defaults to an operator, and nothing to a viewer', async () => {
    const res = await as(['operator'], 'GET');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(defaultRetentionSettings);
    expect((await as(['viewer'], 'GET')).statusCode).toBe(403);
  });

  it("refuses an operator's change with 403 and keeps the settings", async () => {
    const res = await as(['operator'], 'PUT', input);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'Forbidden' });
    expect((await as(['admin'], 'GET')).json()).toEqual(defaultRetentionSettings);
  });

  it('refuses inconsistent or malformed settings with 400 naming the problem', async () => {
    const shorter = await as(['admin'], 'PUT', { ...input, groups: { freezers: { hourDays: 30 } } });
    expect(shorter.statusCode).toBe(400);
    expect(shorter.json()).toEqual({
      code: 'ValidationError',
      message: 'retention settings are inconsistent: group freezers: hourDays (30) must be at least minuteDays (90)',
    });
    const zero = await as(['admin'], 'PUT', { ...input, fleet: { ...input.fleet, rawDays: 0 } });
    expect(zero.statusCode).toBe(400);
    expect(zero.json()).toMatchObject({ code: 'ValidationError', message: expect.stringMatching(/rawDays/) });
    const extra = await as(['admin'], 'PUT', { ...input, updatedBy: 'mallory' });
    expect(extra.statusCode).toBe(400);
    expect(applied).toEqual([]);
  });

  it("records an admin's change with who and when and applies a new archive retention to the bucket once", async () => {
    const res = await as(['admin'], 'PUT', input);
    expect(res.statusCode).toBe(200);
    const saved = { ...input, updatedAt: new Date(now).toISOString(), updatedBy: 'ada' };
    expect(res.json()).toEqual(saved);
    expect((await as(['operator'], 'GET')).json()).toEqual(saved);
    expect(applied).toEqual([90]);
    // The same archive retention again: the bucket is left alone.
    expect((await as(['admin'], 'PUT', { ...input, groups: {} })).statusCode).toBe(200);
    expect(applied).toEqual([90]);
  });
});
