/**
 * Fuzz suite of the Data Service's HTTP inputs (fast-check, in process): any path parameter, query
 * string, stray body and caller role on every route. The answer is never a 5xx and every error is
 * `{ code, message }` of the one closed set, as for the API Service.
 */
import fc from 'fast-check';
import pino from 'pino';
import { unclearAnswer } from '@fleet/core/http/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { createTestCallers, type TestCallers } from './testing/test-callers.ts';

let callers: TestCallers;
let app: ReturnType<typeof buildApp>;

beforeAll(async () => {
  callers = await createTestCallers();
  const readings = Array.from({ length: 50 }, (_, i) => ({ ts: 1_000 + i, seq: i, values: { t: i } }));
  app = buildApp({
    logger: pino({ level: 'silent' }),
    verifier: callers.verifier,
    states: { getMany: async (ids) => ids.map((deviceId) => ({ deviceId, online: deviceId.startsWith('dev') })) },
    telemetry: {
      write: async () => ({ stored: 0, duplicates: 0, failed: [] }),
      writeHistorical: async () => ({ stored: 0, duplicates: 0, failed: [] }),
      async *query({ from, to }) {
        for (const r of readings) if (r.ts >= from && r.ts <= to) yield r;
      },
    },
    latest: { write: async () => ({ updated: 0, older: 0, failed: [] }), get: async () => undefined },
    deadLetters: { write: async () => 'key', listRecent: async () => [] },
    replay: {
      backlog: async () => ({ errorActionMessages: 0, errorActionMessagesMore: false, deadLetterQueueMessages: 0 }),
      replay: async () => ({
        errorAction: { replayed: 0, skipped: 0, remaining: false },
        deadLetterQueue: { status: 'NOTHING_TO_MOVE' as const, moved: 0, toMove: 0 },
      }),
    },
  });
});

const routes = [
  'GET /data/health',
  'GET /data/devices/{id}/latest',
  'GET /data/devices/{id}/readings',
  'GET /data/devices/{id}/readings/raw',
  'GET /data/device-states?ids={id}',
  'GET /data/dead-letters',
  'POST /internal/dead-letters/replay',
];

const param = fc.oneof(
  fc.stringMatching(/^dev[a-z0-9_-]{0,61}$/),
  fc.string({ maxLength: 80 }).map(encodeURIComponent),
  fc.constantFrom('', '..', '%', '%zz', 'a%2Fb', 'x'.repeat(600), '__proto__'),
);
const query = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom('from', 'to', 'maxPoints', 'metrics', 'limit', 'cursor', 'ids'), fc.string({ maxLength: 8 })),
        fc.oneof(
          fc.string({ maxLength: 70 }),
          fc.integer().map(String),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.constantFrom('', '0', '-1', '1e20', '2024-13-45T00:00:00Z', 'bm9wZQ', 'MTAwMF8x', '9007199254740993'),
        ),
      ),
      { maxLength: 5 },
    )
    .map((pairs) => new URLSearchParams(pairs).toString()),
  fc.constantFrom('%', 'from=%zz', 'limit=1&limit=2'),
);

describe('fuzzing the Data Service', () => {
  it('answers any path, query, body and role below 500 with { code, message }', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        param,
        query,
        fc.option(fc.string({ maxLength: 2000 }), { nil: undefined }),
        fc.constantFrom<string[] | undefined>(['viewer'], ['operator'], ['admin'], [], undefined),
        async (route, id, q, body, groups) => {
          const [method = 'GET', template = '/'] = route.split(' ');
          const path = template.replace('{id}', id);
          const url = `${path}${q ? `${path.includes('?') ? '&' : '?'}${q}` : ''}`;
          const headers: Record<string, string> = groups ? await callers.headers(groups) : {};
          if (body !== undefined) headers['content-type'] = 'application/json';
          const res = await app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: body }) });
          const problem = unclearAnswer(res.statusCode, res.body, { headers: res.headers as Record<string, string> });
          if (problem) throw new Error(`${method} ${url.slice(0, 160)}: ${problem}`);
          // Without a token: never data, never a role's verdict (401, or 4xx for a path that is no route).
          if (groups === undefined && template !== '/data/health') {
            expect(res.statusCode).toBeGreaterThanOrEqual(400);
            expect(res.statusCode).not.toBe(403);
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});
