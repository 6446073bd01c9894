/**
 * The read-model contracts: a valid answer of each passes its schema, an answer that breaks it
 * (a missing field, a wrong type, an unbounded string, a map key its pattern refuses, too many
 * entries) fails, with the place named. Readers (the API of the Data Service, the web app of the
 * API) rely on exactly this.
 */
import { describe, expect, it } from 'vitest';
import { answerChecker } from './answer-check.ts';
import { DeadLetterOverviewSchema } from './dead-letter-contract.ts';
import { DevicePageSchema, DeviceStatesSchema, DeviceViewSchema, RegisteredDeviceSchema } from './device-contract.ts';
import { errorAnswerSchema, ErrorAnswerSchema, errorCodes, errorMessageMaxLength, errorResponses } from './error-codes.ts';
import { LatestValuesSchema, RawReadingsPageSchema, ReadingIntervalsSchema } from './telemetry-contract.ts';
import { SignedInUserSchema, UserPageSchema } from './user-contract.ts';

const latest = { ts: 1_732_440_000_000, seq: 3, values: { temperature: 21.5 }, receivedAt: 1_732_440_000_100 };
const record = {
  deviceId: 'sensor-1',
  name: 'Sensor',
  ownerId: 'sub-1',
  ownerName: 'ada',
  createdAt: '2026-01-01T00:00:00.000Z',
  certificateArn: 'arn:aws:iot:us-east-1:000000000000:cert/abc',
  certificateId: 'abc',
  status: 'active',
};
const device = { ...record, online: true, lastSeenAt: '2026-01-02T00:00:00.000Z', latest };

/** Contract, a valid answer, and answers that break it with the place the checker must name. */
const cases = [
  {
    name: 'latest values',
    schema: LatestValuesSchema,
    valid: { deviceId: 'sensor-1', ...latest },
    broken: [
      [{ deviceId: 'sensor-1', ts: latest.ts, seq: latest.seq, values: latest.values }, '(the answer)'],
      [{ deviceId: 'sensor-1', ...latest, ts: '2026-01-01' }, '/ts'],
      [{ deviceId: 'sensor 1', ...latest }, '/deviceId'],
      [{ deviceId: 'sensor-1', ...latest, values: { 'bad name': 1 } }, '/values'],
      [{ deviceId: 'sensor-1', ...latest, values: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`m${i}`, i])) }, '/values'],
    ],
  },
  {
    name: 'reading intervals',
    schema: ReadingIntervalsSchema,
    valid: { deviceId: 'sensor-1', from: 0, to: 10, intervalMs: 5, metrics: { t: [{ t: 0, min: 1, max: 2, avg: 1.5, count: 2 }] } },
    broken: [
      [{ deviceId: 'sensor-1', from: 0, to: 10, intervalMs: 5, metrics: { t: [{ t: 0, min: 1, max: 2, avg: 1.5 }] } }, '/metrics/t/0'],
      [{ deviceId: 'sensor-1', from: 0, to: 10, intervalMs: 0, metrics: {} }, '/intervalMs'],
      [{ deviceId: 'sensor-1', series: {} }, '(the answer)'],
    ],
  },
  {
    name: 'raw readings page',
    schema: RawReadingsPageSchema,
    valid: { deviceId: 'sensor-1', readings: [{ ts: 1, seq: 0, values: { t: 1 } }], nextCursor: 'MTAwMF8x' },
    broken: [
      [{ deviceId: 'sensor-1', readings: [{ ts: 1, seq: -1, values: { t: 1 } }] }, '/readings/0/seq'],
      [{ deviceId: 'sensor-1', readings: [], nextCursor: 'c'.repeat(65) }, '/nextCursor'],
      [{ deviceId: 'sensor-1', items: [] }, '(the answer)'],
    ],
  },
  {
    name: 'device states',
    schema: DeviceStatesSchema,
    valid: {
      devices: [
        { deviceId: 'sensor-1', online: true, latest },
        { deviceId: 'sensor-2', online: false },
      ],
    },
    broken: [
      [{ devices: [{ deviceId: 'sensor-1' }] }, '/devices/0'],
      [{ devices: [{ deviceId: 'sensor-1', online: 'yes' }] }, '/devices/0/online'],
      [{ devices: Array.from({ length: 101 }, (_, i) => ({ deviceId: `d${i}`, online: false })) }, '/devices'],
    ],
  },
  {
    name: 'device page',
    schema: DevicePageSchema,
    valid: { items: [device, { ...record, deviceId: 'sensor-2', online: false }], nextCursor: 'eyJkIjoieCJ9' },
    broken: [
      [{ items: [{ ...device, createdAt: 'yesterday' }] }, '/items/0/createdAt'],
      [{ items: [{ ...device, status: 'revoked' }] }, '/items/0/status'],
      [{ items: [{ ...device, name: 'x'.repeat(129) }] }, '/items/0/name'],
    ],
  },
  {
    name: 'registered device',
    schema: RegisteredDeviceSchema,
    valid: {
      device: { ...record, online: false },
      credentials: {
        certificatePem: 'pem',
        keySource: 'generated',
        privateKey: 'key',
        caUrl: 'https://ca',
        endpoint: 'host',
        port: 8883,
        httpsPort: 8443,
        topic: 'fleet/devices/sensor-1/telemetry',
        mosquittoPub: 'mosquitto_pub …',
        curlPublish: 'curl …',
      },
    },
    broken: [[{ device: { ...record, online: false }, credentials: { certificatePem: 'pem' } }, '/credentials']],
  },
  {
    name: 'signed-in user',
    schema: SignedInUserSchema,
    valid: {
      username: 'ada',
      sub: 'sub-1',
      email: null,
      role: 'admin',
      groups: ['admin'],
      tokenRole: 'viewer',
      permissions: ['readDevices', 'manageUsers'],
      deviceAccess: { kind: 'all' },
    },
    broken: [
      [
        {
          username: 'ada',
          sub: 's',
          email: null,
          role: 'root',
          groups: [],
          tokenRole: 'viewer',
          permissions: [],
          deviceAccess: { kind: 'all' },
        },
        '/role',
      ],
      [
        {
          username: 'ada',
          sub: 's',
          email: null,
          role: 'admin',
          groups: [],
          tokenRole: 'viewer',
          permissions: ['fly'],
          deviceAccess: { kind: 'all' },
        },
        '/permissions/0',
      ],
      // Taking the last group away is `{ kind: 'all' }`, never an empty list.
      [
        {
          username: 'ada',
          sub: 's',
          email: null,
          role: 'viewer',
          groups: [],
          tokenRole: 'viewer',
          permissions: [],
          deviceAccess: { kind: 'groups', groups: [] },
        },
        '/deviceAccess',
      ],
    ],
  },
  {
    name: 'user page',
    schema: UserPageSchema,
    valid: {
      users: [
        { username: 'u1', enabled: true, groups: [], role: 'viewer', deviceAccess: { kind: 'all' } },
        { username: 'u2', enabled: true, groups: ['thing-group:a'], role: 'viewer', deviceAccess: { kind: 'groups', groups: ['a'] } },
      ],
    },
    broken: [
      [{ users: [{ username: 'u1', enabled: true, groups: [], deviceAccess: { kind: 'all' } }] }, '/users/0'],
      [{ users: [{ username: 'u1', enabled: true, groups: [], role: 'viewer' }] }, '/users/0'],
    ],
  },
  {
    name: 'dead letters',
    schema: DeadLetterOverviewSchema,
    valid: { deadLetters: [{ key: 'k', messageId: 'm', reason: 'r', payload: 'e30=', deviceId: 'sensor-1', receivedAt: 1 }] },
    broken: [
      [
        { deadLetters: [{ key: 'k', messageId: 'm', reason: 'r', payload: 'e30=', deviceId: '../x', receivedAt: 1 }] },
        '/deadLetters/0/deviceId',
      ],
    ],
  },
  {
    name: 'error',
    schema: ErrorAnswerSchema,
    valid: { code: 'DeviceNotFound', message: 'Device "x" is not registered' },
    broken: [
      [{ code: 'DataServiceRejected', message: 'a code outside the closed set' }, '/code'],
      [{ code: 'NotFound', message: '' }, '/message'],
      [{ code: 'NotFound', message: 'x'.repeat(errorMessageMaxLength + 1) }, '/message'],
    ],
  },
] as const;

describe('the read-model contracts', () => {
  for (const { name, schema, valid, broken } of cases) {
    it(`accepts a valid ${name} answer and refuses one that breaks it, naming where`, () => {
      expect(answerChecker(schema)(valid)).toEqual({ ok: true, value: valid });
      for (const [value, where] of broken) {
        const checked = answerChecker(schema)(value);
        expect(checked.ok, JSON.stringify(value).slice(0, 120)).toBe(false);
        if (!checked.ok) expect(checked.problems.join('; ')).toContain(where);
      }
    });
  }

  it('lets a newer service add a field: objects are open, maps are not', () => {
    expect(answerChecker(DeviceViewSchema)({ ...device, firmware: '1.2.3' }).ok).toBe(true);
    expect(answerChecker(LatestValuesSchema)({ deviceId: 'sensor-1', ...latest, values: { t: 1, 'not a metric': 2 } }).ok).toBe(false);
  });

  it('documents each error status with exactly the codes that carry it', () => {
    const responses = errorResponses('DeviceNotFound', 'NoReadings', 'ValidationError', 'DeviceNotFound');
    expect(Object.keys(responses).sort()).toEqual(['400', '404']);
    expect(responses[404]?.properties.code.enum).toEqual(['DeviceNotFound', 'NoReadings']);
    expect(answerChecker(errorAnswerSchema(['NoReadings']))({ code: 'DeviceNotFound', message: 'm' }).ok).toBe(false);
    for (const [status, schema] of Object.entries(responses)) {
      for (const code of schema.properties.code.enum) expect(errorCodes[code]).toBe(Number(status));
    }
  });
});
