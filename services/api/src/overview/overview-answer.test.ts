import type { Caller } from '@fleet/core/tokens';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ApiClients } from '../aws-clients.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';
import { createOverview } from './overview-answer.ts';

const caller: Caller = { sub: 'sub-op', username: 'op', groups: ['operator'], role: 'operator', accessToken: 'token' };
const never = () => new Promise<never>(() => {});

describe('createOverview', () => {
  it('answers every part as unavailable when no source answers in time, without waiting for them', async () => {
    const overview = createOverview({
      clients: { dynamo: { send: never } as ApiClients['dynamo'], cloudwatch: { send: never } as ApiClients['cloudwatch'] },
      devicesTable: 'fleet-devices',
      dataService: { get: never, deviceStates: never } as Pick<DataServiceClient, 'get' | 'deviceStates'>,
      logger: pino({ level: 'silent' }),
      partTimeoutMs: 50,
      now: () => Date.parse('2026-12-02T06:00:30Z'),
    });
    // Sources that never answer: the answer comes all the same (the test would time out otherwise).
    const answer = await overview.answer(caller);
    expect(answer).toEqual({
      generatedAt: '2026-12-02T06:00:30.000Z',
      devices: { available: false, reason: 'The device registry did not answer in time' },
      alarms: { available: false, reason: 'The data service did not answer in time' },
      throughput: { available: false, reason: 'CloudWatch did not answer in time' },
      deadLetters: { available: false, reason: 'The data service did not answer in time' },
    });
  });
});
