import { browserPolicyName } from '@fleet/core';
import type { AedesPublishPacket } from 'aedes';
import { shadowTopics, topics } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { authenticate } from './authenticate.ts';
import { identityId, provisionBrowser, testBrokerState, testClient } from './broker-test-state.ts';
import { authorizeForward } from './forward.ts';

const message = (topic: string) =>
  ({ cmd: 'publish', topic, payload: Buffer.from('{}'), qos: 1, retain: false, dup: false }) as AedesPublishPacket;

async function connectedBrowser() {
  const broker = testBrokerState();
  const client = testClient(broker.state, identityId, provisionBrowser(broker.registry).auth);
  await authenticate(broker.state, client);
  return { ...broker, client };
}

describe('authorizeForward', () => {
  it('delivers a message the policy allows the subscriber to receive, and drops another', async () => {
    const { state, client } = await connectedBrowser();
    const telemetry = message(topics.telemetry('alpha'));
    expect(authorizeForward(state, client, telemetry)).toBe(telemetry);
    expect(authorizeForward(state, client, message(shadowTopics('alpha').updateDelta))).toBeNull();
  });

  it('decides again after a registry change: a detached policy stops the next delivery', async () => {
    const { state, registry, client } = await connectedBrowser();
    const telemetry = message(topics.telemetry('alpha'));
    expect(authorizeForward(state, client, telemetry)).toBe(telemetry);
    registry.detachPolicy(browserPolicyName, identityId);
    expect(authorizeForward(state, client, telemetry)).toBeNull();
  });

  it('keeps at most about a thousand decisions per connection', async () => {
    const { state, client } = await connectedBrowser();
    for (let i = 0; i < 1500; i++) authorizeForward(state, client, message(topics.telemetry(`d${i}`)));
    expect(state.sessions.get(client)!.receiveCache.size).toBeLessThanOrEqual(1001);
  });

  it('drops every message for a connection without session', () => {
    const { state } = testBrokerState();
    expect(authorizeForward(state, testClient(state, 'x'), message(topics.telemetry('alpha')))).toBeNull();
  });
});
