import { Aedes } from 'aedes';
import { topics } from '@fleet/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../message-listeners.ts';
import { authenticate } from './authenticate.ts';
import { provisionDevice, testBrokerState, testClient, type TestBroker } from './broker-test-state.ts';
import { clientDisconnect, clientReady, closeConnectionsOf, watchLifecycle } from './lifecycle.ts';
import { published } from './service-publish.ts';

let aedes: Aedes | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (aedes ? aedes.close(() => resolve()) : resolve()));
  aedes = undefined;
});

/** A broker state with a real aedes (not listening) that publishes lifecycle events to the listeners. */
async function withAedes(): Promise<TestBroker> {
  const broker = testBrokerState();
  aedes = await Aedes.createBroker();
  broker.state.aedes = aedes;
  aedes.published = (p, client, done) => published(broker.state, p, client, done);
  return broker;
}

async function connected(broker: TestBroker, id = 'alpha') {
  const { certificate, auth } = provisionDevice(broker.registry, id);
  const client = testClient(broker.state, id, auth);
  await authenticate(broker.state, client);
  return { client, certificate };
}

/** Resolves with the first listener message on `topic` (events are published in the background). */
async function event(messages: BrokerMessage[], topic: string): Promise<Record<string, unknown>> {
  for (;;) {
    const found = messages.find((m) => m.topic === topic);
    if (found) return JSON.parse(found.payload.toString()) as Record<string, unknown>;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('lifecycle events', () => {
  it('announces a ready connection with AWS connected event shape', async () => {
    const broker = await withAedes();
    const { client, certificate } = await connected(broker);
    clientReady(broker.state, client);
    expect(await event(broker.messages, topics.presenceConnected('alpha'))).toMatchObject({
      clientId: 'alpha',
      eventType: 'connected',
      principalIdentifier: certificate.certificateId,
      versionNumber: 1,
    });
  });

  it('announces a disconnection with the reason noted, else clean or lost, and forgets the connection', async () => {
    const broker = await withAedes();
    const { client, certificate } = await connected(broker);
    clientReady(broker.state, client);
    broker.state.sessions.get(client)!.disconnectReason = 'THROTTLED';
    clientDisconnect(broker.state, client);
    expect(await event(broker.messages, topics.presenceDisconnected('alpha'))).toMatchObject({
      disconnectReason: 'THROTTLED',
      clientInitiatedDisconnect: false,
    });
    expect(broker.state.clientsByPrincipal.get(certificate.certificateArn)?.has(client)).toBe(false);

    const { client: beta } = await connected(broker, 'beta');
    clientReady(broker.state, beta);
    (beta as unknown as { _disconnected: boolean })._disconnected = true;
    clientDisconnect(broker.state, beta);
    expect(await event(broker.messages, topics.presenceDisconnected('beta'))).toMatchObject({
      disconnectReason: 'CLIENT_INITIATED_DISCONNECT',
      clientInitiatedDisconnect: true,
    });
  });

  it('announces nothing for a connection never announced, nor for client ids with # or +', async () => {
    const broker = await withAedes();
    const { client } = await connected(broker);
    clientDisconnect(broker.state, client);
    const { auth } = provisionDevice(broker.registry, 'gamma');
    const wildcard = testClient(broker.state, 'a+b', auth);
    broker.state.sessions.set(wildcard, { ...broker.state.sessions.get(client)! });
    clientReady(broker.state, wildcard);
    clientDisconnect(broker.state, wildcard);
    // An event published after them arrives alone: they published nothing.
    const { client: beta } = await connected(broker, 'beta');
    clientReady(broker.state, beta);
    await event(broker.messages, topics.presenceConnected('beta'));
    expect(broker.messages.map((m) => m.topic)).toEqual([topics.presenceConnected('beta')]);
  });
});

describe('closeConnectionsOf', () => {
  it('closes every connection of a certificate no longer ACTIVE, noting AUTH_ERROR', async () => {
    const broker = await withAedes();
    const { client, certificate } = await connected(broker);
    closeConnectionsOf(broker.state, certificate.certificateArn, 'REVOKED');
    expect(client.closeCalls).toBe(1);
    expect(broker.state.sessions.get(client)?.disconnectReason).toBe('AUTH_ERROR');
  });
});

describe('watchLifecycle', () => {
  it('turns aedes events into disconnect reasons, and certificate changes into closed connections', async () => {
    const broker = await withAedes();
    watchLifecycle(broker.state, aedes!);
    const { client, certificate } = await connected(broker);
    aedes!.emit('keepaliveTimeout', client);
    aedes!.emit('clientError', client, new Error('protocol'));
    expect(broker.state.sessions.get(client)?.disconnectReason).toBe('MQTT_KEEP_ALIVE_TIMEOUT');
    broker.registry.updateCertificate(certificate.certificateId, 'INACTIVE');
    expect(client.closeCalls).toBe(1);
    expect(broker.state.sessions.get(client)?.disconnectReason).toBe('AUTH_ERROR');

    const { client: beta } = await connected(broker, 'beta');
    aedes!.emit('clientError', beta, Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    expect(broker.state.sessions.get(beta)?.disconnectReason).toBe('CONNECTION_LOST');
  });
});
