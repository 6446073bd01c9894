import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerState } from '../broker-state.ts';
import { testBrokerState } from './broker-test-state.ts';
import { publishAsService, published } from './service-publish.ts';

const packet = (topic: string) =>
  ({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 1, retain: false, dup: false }) as AedesPublishPacket;
const outcome = (state: BrokerState, publish: AedesPublishPacket, client: Client | null) =>
  new Promise<Error | null | undefined>((resolve) => published(state, publish, client, resolve));

let aedes: Aedes | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (aedes ? aedes.close(() => resolve()) : resolve()));
  aedes = undefined;
});

describe('published', () => {
  it('hands a message of the service to the listeners as published by nobody', async () => {
    const { state, messages } = testBrokerState();
    expect(await outcome(state, packet('fleet/devices/alpha/commands'), null)).toBeNull();
    expect(messages).toEqual([expect.objectContaining({ topic: 'fleet/devices/alpha/commands', clientId: '', qos: 1 })]);
    expect(messages[0]).not.toHaveProperty('principal');
  });

  it('skips client messages (the listeners had them in authorizePublish) and $SYS messages', async () => {
    const { state, messages } = testBrokerState();
    expect(await outcome(state, packet('t'), { id: 'alpha' } as Client)).toBeNull();
    expect(await outcome(state, packet('$SYS/x/heartbeat'), null)).toBeNull();
    expect(messages).toEqual([]);
  });

  it('fails the publish when the listeners could not make the message durable', async () => {
    const { state, refuseWith } = testBrokerState();
    refuseWith('queue unavailable');
    expect(await outcome(state, packet('t'), null)).toMatchObject({ message: 'queue unavailable' });
  });
});

describe('publishAsService', () => {
  it('resolves once the listeners made the message durable, through aedes', async () => {
    const { state, messages } = testBrokerState();
    aedes = await Aedes.createBroker();
    state.aedes = aedes;
    aedes.published = (p, client, done) => published(state, p, client, done);
    await publishAsService(state, 'fleet/devices/alpha/commands', Buffer.from('{"reboot":true}'), 1);
    expect(messages.map((m) => m.payload.toString())).toEqual(['{"reboot":true}']);
  });

  it('rejects when the listeners refuse, and before aedes exists', async () => {
    const { state, refuseWith } = testBrokerState();
    await expect(publishAsService(state, 't', Buffer.from('x'), 1)).rejects.toThrow(/not created yet/);
    aedes = await Aedes.createBroker();
    state.aedes = aedes;
    aedes.published = (p, client, done) => published(state, p, client, done);
    refuseWith('queue unavailable');
    await expect(publishAsService(state, 't', Buffer.from('x'), 1)).rejects.toThrow('queue unavailable');
  });
});
