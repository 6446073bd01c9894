import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

/** A Data Service recording what it was asked. */
let data: FastifyInstance;
const seen: { method: string; url: string }[] = [];
let t: TestApp;
const replayed = {
  errorAction: { replayed: 2, skipped: 0, remaining: false },
  deadLetterQueue: { status: 'COMPLETED', moved: 100, toMove: 100 },
};

beforeAll(async () => {
  data = Fastify();
  data.addHook('onRequest', async (req) => void seen.push({ method: req.method, url: req.url }));
  data.get('/data/dead-letters', async () => ({
    deadLetters: [{ key: 'k', messageId: 'm', reason: '"ts" must be epoch milliseconds', payload: 'e30=', receivedAt: 1 }],
    backlog: { errorActionMessages: 2, errorActionMessagesMore: false, deadLetterQueueMessages: 100, internalNote: 'not for callers' },
  }));
  data.post('/internal/dead-letters/replay', async () => replayed);
  t = await startTestApp({ config: { dataServiceUrl: await data.listen({ port: 0, host: '127.0.0.1' }) } });
});
afterAll(async () => {
  await t.close();
  await data.close();
});

describe('dead letter routes', () => {
  it('lists dead letters for operators, relaying the Data Service', async () => {
    const res = await asCaller(t.app, await t.bearer({ groups: ['operator'] })).get('/api/dead-letters?limit=5');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ deadLetters: [{ reason: '"ts" must be epoch milliseconds' }] });
    // Both kinds waiting for replay; a field outside the contract does not leak.
    expect(res.json().backlog).toEqual({ errorActionMessages: 2, errorActionMessagesMore: false, deadLetterQueueMessages: 100 });
    expect(seen.at(-1)).toEqual({ method: 'GET', url: '/data/dead-letters?limit=5' });
  });

  it('refuses the list to viewers', async () => {
    const res = await asCaller(t.app, await t.bearer({ groups: ['viewer'] })).get('/api/dead-letters');
    expect(res.statusCode).toBe(403);
  });

  it("replays both kinds for admins through the Data Service's internal route, answering what each moved", async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/dead-letters/replay?limit=10',
      headers: { authorization: await t.bearer({ groups: ['admin'] }) },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(replayed);
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/internal/dead-letters/replay?limit=10' });
  });

  it('refuses replay to operators and to callers without a token, without calling the Data Service', async () => {
    const before = seen.length;
    const operator = await t.app.inject({
      method: 'POST',
      url: '/api/dead-letters/replay',
      headers: { authorization: await t.bearer({ groups: ['operator'] }) },
    });
    expect(operator.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/dead-letters/replay' })).statusCode).toBe(401);
    expect(seen.length).toBe(before);
  });
});

describe('a Data Service answering outside the contract', () => {
  it('answers 502 DataServiceUnavailable, never a 500 from serializing what it relays', async () => {
    const odd = Fastify();
    odd.get('/data/dead-letters', async () => ({ deadLetters: 'none', backlog: { errorActionMessages: -1 } }));
    odd.post('/internal/dead-letters/replay', async () => ({ replayed: 3 }));
    const app = await startTestApp({ config: { dataServiceUrl: await odd.listen({ port: 0, host: '127.0.0.1' }) } });
    try {
      const list = await app.app.inject({
        url: '/api/dead-letters',
        headers: { authorization: await app.bearer({ groups: ['operator'] }) },
      });
      expect(list.statusCode).toBe(502);
      expect(list.json()).toMatchObject({ code: 'DataServiceUnavailable' });
      const replay = await app.app.inject({
        method: 'POST',
        url: '/api/dead-letters/replay',
        headers: { authorization: await app.bearer({ groups: ['admin'] }) },
      });
      expect(replay.statusCode).toBe(502);
      expect(replay.json()).toMatchObject({ code: 'DataServiceUnavailable' });
    } finally {
      await app.close();
      await odd.close();
    }
  });
});
