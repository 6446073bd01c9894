/**
 * Test fixture (used by the handler tests of this folder and broker-state.test.ts): a
 * `BrokerState` over an in-memory registry with the fleet's device and browser policies, a
 * recording message listener, connections as aedes hands them to the hooks (an id, a transport
 * connection, `close()`), and a provisioned device or browser identity with the transport
 * authentication each one arrives with.
 */
import type { Client } from 'aedes';
import { browserPolicyDocument, browserPolicyName, devicePolicyDocument, devicePolicyName } from '@fleet/core';
import { accountId, identityId, issuedCertificate, region, testRegistry } from '../../registry/registry-test-context.ts';
import type { IotRegistry } from '../../registry/iot-registry.ts';
import { createBrokerState, type BrokerState } from '../broker-state.ts';
import type { BrokerMessage } from '../message-listeners.ts';
import type { ConnectionAuth } from '../transports.ts';

export { identityId };

export interface TestBroker {
  readonly state: BrokerState;
  readonly registry: IotRegistry;
  /** Every message the listener saw. */
  readonly messages: BrokerMessage[];
  /** What the listener answers: durable unless set to a reason. */
  refuseWith(reason: string | undefined): void;
}

export function testBrokerState(maxPublishesPerSecond = 100): TestBroker {
  const registry = testRegistry();
  registry.createPolicy(devicePolicyName, JSON.stringify(devicePolicyDocument(region, accountId)));
  registry.createPolicy(browserPolicyName, JSON.stringify(browserPolicyDocument(region, accountId)));
  const state = createBrokerState({ registry, maxPublishesPerSecond });
  const messages: BrokerMessage[] = [];
  let refusal: string | undefined;
  state.listeners.add((message) => {
    messages.push(message);
    return refusal === undefined ? undefined : { durable: false, reason: refusal };
  });
  return { state, registry, messages, refuseWith: (reason) => void (refusal = reason) };
}

export interface TestClient extends Client {
  /** How many times the broker closed this connection. */
  readonly closeCalls: number;
}

/** A connection as the hooks see it; `auth` is what its transport authenticated. */
export function testClient(state: BrokerState, id: string, auth?: ConnectionAuth): TestClient {
  const conn = {};
  if (auth) state.authByConn.set(conn, auth);
  const client = {
    id,
    conn,
    closeCalls: 0,
    close() {
      client.closeCalls += 1;
    },
  };
  return client as unknown as TestClient;
}

/** A thing with an ACTIVE certificate, the device policy and the attachment, as the API Service provisions one. */
export function provisionDevice(registry: IotRegistry, thingName: string, status: 'ACTIVE' | 'INACTIVE' = 'ACTIVE') {
  registry.createThing({ thingName });
  const certificate = registry.addCertificate(issuedCertificate(), status === 'ACTIVE');
  registry.attachPolicy(devicePolicyName, certificate.certificateArn);
  registry.attachThingPrincipal(thingName, certificate.certificateArn);
  const auth: ConnectionAuth = {
    kind: 'certificate',
    certificateId: certificate.certificateId,
    certificateVariables: {},
    ipAddress: '127.0.0.1',
  };
  return { certificate, auth };
}

/** The browser identity with the browser policy attached, as the identity pool's first sign-in does. */
export function provisionBrowser(registry: IotRegistry) {
  registry.attachPolicy(browserPolicyName, identityId);
  const auth: ConnectionAuth = { kind: 'cognito', identityId, ipAddress: '127.0.0.1' };
  return { auth };
}
