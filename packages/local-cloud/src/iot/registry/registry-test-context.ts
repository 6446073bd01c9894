/**
 * Test fixture (used by the *.test.ts files of this folder and of control-plane/routes): a
 * `RegistryContext` or a whole registry over an in-memory store that counts its saves, a fixed
 * clock, and a certificate as the local CA would issue it, so each registry module and each route
 * module is tested directly (state in, result out).
 */
import { randomBytes } from 'node:crypto';
import type { IssuedDeviceCertificate } from '../ca/local-ca.ts';
import { createIotRegistry, type IotRegistry } from './iot-registry.ts';
import { createRegistryContext, type RegistryContext } from './registry-context.ts';
import type { RegistryState } from './registry-store.ts';

export const region = 'us-east-1';
export const accountId = '000000000000';
export const identityId = `${region}:11111111-2222-3333-4444-555555555555`;
export const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] });

export interface TestContext {
  readonly context: RegistryContext;
  /** How many times the registry persisted its state. */
  saves(): number;
  /** Moves the fixed clock. */
  tick(ms: number): void;
}

export function testContext(): TestContext {
  let saves = 0;
  let now = Date.UTC(2026, 0, 15, 12);
  const context = createRegistryContext({
    store: { state: emptyState(), save: () => void (saves += 1), durable: () => Promise.resolve() },
    region,
    accountId,
    now: () => now,
  });
  return { context, saves: () => saves, tick: (ms) => void (now += ms) };
}

export function issuedCertificate(): IssuedDeviceCertificate {
  return {
    certificateId: randomBytes(32).toString('hex'),
    certificatePem: '-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n',
    publicKeyPem: '',
    privateKeyPem: '',
    notBefore: new Date(Date.UTC(2026, 0, 1)),
    notAfter: new Date(Date.UTC(2027, 0, 1)),
  };
}

/** A whole registry over an in-memory store (for the control plane's route tests). */
export function testRegistry(): IotRegistry {
  return createIotRegistry({ store: { state: emptyState(), save: () => undefined, durable: () => Promise.resolve() }, region, accountId });
}

function emptyState(): RegistryState {
  const map = () => Object.create(null) as Record<string, never>;
  return {
    things: map(),
    certificates: map(),
    policies: map(),
    policyTargets: map(),
    thingPrincipals: map(),
    thingGroups: map(),
    thingGroupMembers: map(),
    eventConfigurations: map(),
  };
}
