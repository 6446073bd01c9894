import { answerChecker, DataUsageSchema, errorAnswerSchema, type DataUsage } from '@fleet/core';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { emptyStores } from '../testing/empty-stores.ts';
import { createTestCallers, type TestCallers } from '../testing/test-callers.ts';

const usage: DataUsage = {
  measuredAt: '2026-12-02T03:00:00.000Z',
  volumes: [{ store: 'archive', items: 2, bytes: 300, approximate: false }],
  model: { devices: 2, readingsPerSecond: 0.5, monthlyUsd: 110.2, perMillionReadingsUsd: 83.9, lines: [], pricesAsOf: '2026-12-02' },
};
let callers: TestCallers;
const build = (withUsage: boolean) =>
  buildApp({
    logger: pino({ level: 'silent' }),
    verifier: callers.verifier,
    ...emptyStores,
    ...(withUsage ? { usage: { read: () => Promise.resolve(usage) } } : {}),
  });

beforeAll(async () => {
  callers = await createTestCallers();
});

describe('GET /data/data-usage', () => {
  it('answers operators and admins the usage, refuses viewers and callers without a token', async () => {
    const app = build(true);
    const as = async (groups: string[]) => app.inject({ url: '/data/data-usage', headers: await callers.headers(groups) });
    for (const groups of [['operator'], ['admin']]) {
      const answer = await as(groups);
      expect(answer.statusCode).toBe(200);
      expect(answerChecker(DataUsageSchema)(answer.json()).ok).toBe(true);
      expect(answer.json()).toEqual(usage);
    }
    const viewer = await as(['viewer']);
    expect(viewer.statusCode).toBe(403);
    expect(answerChecker(errorAnswerSchema)(viewer.json()).ok).toBe(true);
    expect((await app.inject({ url: '/data/data-usage' })).statusCode).toBe(401);
  });

  it('is absent when the service was built without usage', async () => {
    const answer = await build(false).inject({ url: '/data/data-usage', headers: await callers.headers(['admin']) });
    expect(answer.statusCode).toBe(404);
  });
});
