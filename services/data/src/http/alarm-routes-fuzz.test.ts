/**
 * Fuzz of the alarm routes' inputs (fast-check) over the real stores on the DynamoDB stand-in: any
 * path parameter, query string (tokens included), JSON body and role. The answer is never a 5xx and
 * every error is `{ code, message }` of the one closed set.
 */
import { unclearAnswer } from '@fleet/core/http/testing';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { fakeSns, testAlarms } from '../alarms/testing/alarm-fixtures.ts';
import { buildApp } from '../app.ts';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { createTestCallers, type TestCallers } from '../testing/test-callers.ts';

let aws: LocalAws;
let callers: TestCallers;
let app: ReturnType<typeof buildApp>;

beforeAll(async () => {
  [aws, callers] = await Promise.all([startLocalAws(), createTestCallers()]);
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
    alarms: testAlarms({ dynamo: aws.dynamo, sns: fakeSns() }),
  });
});
afterAll(async () => {
  await app.close();
  await aws.close();
});

const routes = [
  'GET /data/alarm-definitions',
  'POST /data/alarm-definitions',
  'GET /data/alarm-definitions/{id}',
  'PUT /data/alarm-definitions/{id}',
  'DELETE /data/alarm-definitions/{id}',
  'GET /data/alarms',
  'POST /data/alarms/{id}/{id}/acknowledge',
  'POST /data/alarms/{id}/{id}/clear',
  'GET /data/alarm-events',
  'POST /data/alarm-events/read',
];
const param = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
  fc.string({ maxLength: 80 }).map(encodeURIComponent),
  fc.constantFrom('', '..', '%', '%zz', 'x'.repeat(300), '__proto__'),
);
const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('status', 'deviceId', 'definitionId', 'limit', 'nextToken', 'x'),
      fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom('ACTIVE', 'ACTIVE,CLEARED', '0', '101', 'e30', 'eyJkYXkiOjF9', 'eyJkYXkiOiIiLCJzayI6IiJ9'),
        fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());
const scope = fc.oneof(
  fc.constant({ kind: 'fleet' }),
  fc.record({ kind: fc.constant('device'), deviceId: fc.string({ maxLength: 70 }) }),
  fc.record({ kind: fc.constant('group'), groupName: fc.string({ maxLength: 10 }) }),
  fc.jsonValue(),
);
const condition = fc.oneof(
  fc.record({ kind: fc.constantFrom('above', 'below'), metric: fc.constantFrom('t', '1x'), threshold: fc.double() }),
  fc.record({ kind: fc.constant('outside'), metric: fc.constant('t'), low: fc.integer(), high: fc.integer() }),
  fc.record({ kind: fc.constant('noData'), silentMinutes: fc.integer({ min: -1, max: 20_000 }) }),
  fc.jsonValue(),
);
const body = fc.oneof(
  fc.record(
    {
      name: fc.string({ maxLength: 140 }),
      scope,
      condition,
      duration: fc.oneof(fc.record({ kind: fc.constant('readings'), breaching: fc.integer(), of: fc.integer() }), fc.jsonValue()),
      severity: fc.constantFrom('critical', 'minor', 'loud'),
      occurrence: fc.integer(),
      until: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string({ maxLength: 40 }),
      ),
      expectedVersion: fc.integer(),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);

describe('fuzzing the alarm routes', () => {
  it('answers any path, query, body and role below 500 with { code, message }', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        param,
        query,
        fc.option(body, { nil: undefined }),
        fc.constantFrom<string[]>(['viewer'], ['operator'], ['admin']),
        async (route, id, q, payload, groups) => {
          const [method = 'GET', template = '/'] = route.split(' ');
          const url = `${template.replaceAll('{id}', id)}${q ? `?${q}` : ''}`;
          const headers: Record<string, string> = await callers.headers(groups);
          if (payload !== undefined) headers['content-type'] = 'application/json';
          const res = await app.inject({
            method: method as 'GET',
            url,
            headers,
            ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
          });
          const problem = unclearAnswer(res.statusCode, res.body, { headers: res.headers as Record<string, string> });
          if (problem) throw new Error(`${method} ${url.slice(0, 160)} ${JSON.stringify(payload)?.slice(0, 300)}: ${problem}`);
        },
      ),
      { numRuns: 250 },
    );
  }, 120_000);
});
