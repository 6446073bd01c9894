import type { PublishPacket } from 'aedes';
import { describe, expect, it } from 'vitest';
import { authenticate } from './handlers/authenticate.ts';
import { provisionDevice, testBrokerState, testClient } from './handlers/broker-test-state.ts';
import { messageOf, noteDisconnectReason } from './broker-state.ts';

describe('messageOf', () => {
  it('gives the listeners the topic, the payload as bytes, the publisher and its principal, and QoS 0 or 1', async () => {
    const { state, registry } = testBrokerState();
    const { certificate, auth } = provisionDevice(registry, 'alpha');
    const client = testClient(state, 'alpha', auth);
    await authenticate(state, client);
    const before = Date.now();
    const message = messageOf(state, { topic: 't', payload: 'text', qos: 1 } as PublishPacket, client);
    expect(message).toMatchObject({
      topic: 't',
      payload: Buffer.from('text'),
      clientId: 'alpha',
      principal: certificate.certificateId,
      qos: 1,
    });
    expect(message.timestamp).toBeGreaterThanOrEqual(before);
    expect(messageOf(state, { topic: 't', payload: Buffer.from('x'), qos: 0 } as PublishPacket, null)).toEqual({
      topic: 't',
      payload: Buffer.from('x'),
      clientId: '',
      timestamp: expect.any(Number),
      qos: 0,
    });
  });
});

describe('noteDisconnectReason', () => {
  it('records the reason, and keeps the first one when not overriding', async () => {
    const { state, registry } = testBrokerState();
    const client = testClient(state, 'alpha', provisionDevice(registry, 'alpha').auth);
    await authenticate(state, client);
    noteDisconnectReason(state, client, 'CLIENT_ERROR', false);
    noteDisconnectReason(state, client, 'CONNECTION_LOST', false);
    expect(state.sessions.get(client)?.disconnectReason).toBe('CLIENT_ERROR');
    noteDisconnectReason(state, client, 'AUTH_ERROR');
    expect(state.sessions.get(client)?.disconnectReason).toBe('AUTH_ERROR');
    expect(() => noteDisconnectReason(state, testClient(state, 'no-session'), 'AUTH_ERROR')).not.toThrow();
  });
});
