import type { Client, Subscription } from 'aedes';
import { shadowTopics, topics } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import type { BrokerState } from '../broker-state.ts';
import { authenticate } from './authenticate.ts';
import { authorizeSubscribe } from './authorize-subscribe.ts';
import { identityId, provisionBrowser, provisionDevice, testBrokerState, testClient } from './broker-test-state.ts';

const granted = (state: BrokerState, client: Client, subscription: Subscription) =>
  new Promise<Subscription | null | undefined>((resolve) => authorizeSubscribe(state, client, subscription, (_err, sub) => resolve(sub)));

describe('authorizeSubscribe', () => {
  it('grants a filter the policy allows and refuses another (granted 0x80)', async () => {
    const { state, registry } = testBrokerState();
    const client = testClient(state, 'alpha', provisionDevice(registry, 'alpha').auth);
    await authenticate(state, client);
    const delta = { topic: shadowTopics('alpha').updateDelta, qos: 1 } as Subscription;
    expect(await granted(state, client, delta)).toBe(delta);
    expect(await granted(state, client, { topic: shadowTopics('beta').updateDelta, qos: 1 })).toBeNull();
  });

  it('grants the browser the telemetry filter but refuses a $share subscription even of it', async () => {
    const { state, registry } = testBrokerState();
    const browser = testClient(state, identityId, provisionBrowser(registry).auth);
    await authenticate(state, browser);
    expect(await granted(state, browser, { topic: topics.telemetryFilter, qos: 1 })).toMatchObject({
      topic: topics.telemetryFilter,
    });
    expect(await granted(state, browser, { topic: `$share/g/${topics.telemetryFilter}`, qos: 1 })).toBeNull();
  });

  it("grants a device its own $aws/things/... reply and notification topics under its policy, not another thing's", async () => {
    const { state, registry } = testBrokerState();
    const { auth, certificate } = provisionDevice(registry, 'alpha');
    registry.createPolicy(
      'jobs-replies',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'iot:Subscribe',
            Resource: registry.arn('topicfilter', '$aws/things/${iot:Connection.Thing.ThingName}/jobs/*'),
          },
        ],
      }),
    );
    registry.attachPolicy('jobs-replies', certificate.certificateArn);
    const client = testClient(state, 'alpha', auth);
    await authenticate(state, client);
    for (const topic of [
      '$aws/things/alpha/jobs/notify-next',
      '$aws/things/alpha/jobs/get/accepted',
      '$aws/things/alpha/jobs/j1/update/rejected',
    ]) {
      expect(await granted(state, client, { topic, qos: 1 }), topic).toMatchObject({ topic });
    }
    expect(await granted(state, client, { topic: '$aws/things/beta/jobs/notify-next', qos: 1 })).toBeNull();
  });

  it('refuses a connection without session', async () => {
    const { state } = testBrokerState();
    expect(await granted(state, testClient(state, 'x'), { topic: '#', qos: 0 })).toBeNull();
  });
});
