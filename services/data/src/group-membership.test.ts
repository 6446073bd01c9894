import type { IoTClient } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { createGroupMembership } from './group-membership.ts';

describe('group membership', () => {
  it('asks IoT once per device within the TTL, and puts a device that is no thing in no group', async () => {
    const asked: string[] = [];
    let now = 0;
    const iot = {
      send: async (command: { input: { thingName?: string } }) => {
        const name = command.input.thingName ?? '';
        asked.push(name);
        if (name === 'ghost') throw Object.assign(new Error('no such thing'), { name: 'ResourceNotFoundException' });
        return { thingGroups: [{ groupName: 'boilers' }] };
      },
    } as unknown as Pick<IoTClient, 'send'>;
    const groups = createGroupMembership({ iot, ttlMs: 60_000, now: () => now });
    expect([...(await groups.groupsOf('d1'))]).toEqual(['boilers']);
    await groups.groupsOf('d1');
    expect([...(await groups.groupsOf('ghost'))]).toEqual([]);
    expect(asked).toEqual(['d1', 'ghost']);
    now = 60_000;
    await groups.groupsOf('d1');
    expect(asked).toEqual(['d1', 'ghost', 'd1']);
  });

  it('does not cache a failure', async () => {
    let calls = 0;
    const iot = {
      send: async () => {
        if (++calls === 1) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        return { thingGroups: [] };
      },
    } as unknown as Pick<IoTClient, 'send'>;
    const groups = createGroupMembership({ iot });
    await expect(groups.groupsOf('d1')).rejects.toThrow('throttled');
    expect([...(await groups.groupsOf('d1'))]).toEqual([]);
  });
});
