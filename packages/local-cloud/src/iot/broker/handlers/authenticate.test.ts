import type { Aedes, AuthenticateError } from 'aedes';
import { describe, expect, it } from 'vitest';
import { authenticate, authenticateHook } from './authenticate.ts';
import { identityId, provisionBrowser, provisionDevice, testBrokerState, testClient } from './broker-test-state.ts';

describe('authenticate', () => {
  it('accepts a device with an ACTIVE certificate whose policy allows iot:Connect as its thing, and records its session', async () => {
    const { state, registry } = testBrokerState();
    const { certificate, auth } = provisionDevice(registry, 'alpha');
    const client = testClient(state, 'alpha', auth);
    expect(await authenticate(state, client)).toBeUndefined();
    expect(state.sessions.get(client)).toMatchObject({
      principal: certificate.certificateArn,
      principalIdentifier: certificate.certificateId,
      context: expect.objectContaining({ 'iot:ClientId': 'alpha', 'iot:Connection.Thing.ThingName': 'alpha' }),
      ipAddress: '127.0.0.1',
      versionNumber: 1,
      announced: false,
      limiter: expect.any(Object),
    });
    expect(state.clientsByPrincipal.get(certificate.certificateArn)?.has(client)).toBe(true);
  });

  it('accepts a browser as its Cognito identity', async () => {
    const { state, registry } = testBrokerState();
    const client = testClient(state, identityId, provisionBrowser(registry).auth);
    expect(await authenticate(state, client)).toBeUndefined();
    expect(state.sessions.get(client)).toMatchObject({
      principal: identityId,
      context: expect.objectContaining({ 'cognito-identity.amazonaws.com:sub': identityId }),
    });
  });

  it('refuses with CONNACK 5 a connection without credentials, an INACTIVE certificate, or a client id the policy does not allow', async () => {
    const { state, registry } = testBrokerState();
    const { auth: inactive } = provisionDevice(registry, 'beta', 'INACTIVE');
    const { auth: alpha } = provisionDevice(registry, 'alpha');
    const refusals = await Promise.all([
      authenticate(state, testClient(state, 'alpha')),
      authenticate(state, testClient(state, 'beta', inactive)),
      authenticate(state, testClient(state, 'not-alpha', alpha)),
    ]);
    expect(refusals.map((r) => [r?.returnCode, r?.message])).toEqual([
      [5, 'connection carries no credentials'],
      [5, 'certificate is not active'],
      [5, 'not authorized to connect'],
    ]);
  });

  it('refuses a client id over 128 characters with CONNACK 2 (identifier rejected)', async () => {
    const { state, registry } = testBrokerState();
    const { auth } = provisionBrowser(registry);
    expect((await authenticate(state, testClient(state, 'x'.repeat(129), auth)))?.returnCode).toBe(2);
  });

  it('numbers the connections of one client id and marks the one it replaces DUPLICATE_CLIENTID', async () => {
    const { state, registry } = testBrokerState();
    const { auth } = provisionDevice(registry, 'alpha');
    const first = testClient(state, 'alpha', auth);
    await authenticate(state, first);
    state.aedes = { clients: { alpha: first } } as unknown as Aedes;
    const second = testClient(state, 'alpha', auth);
    await authenticate(state, second);
    expect(state.sessions.get(first)?.disconnectReason).toBe('DUPLICATE_CLIENTID');
    expect(state.sessions.get(second)?.versionNumber).toBe(2);
  });

  it('gives a session no rate limiter when the quota is off', async () => {
    const { state, registry } = testBrokerState(0);
    const client = testClient(state, identityId, provisionBrowser(registry).auth);
    await authenticate(state, client);
    expect(state.sessions.get(client)?.limiter).toBeUndefined();
  });
});

describe('authenticateHook', () => {
  const call = (hook: ReturnType<typeof authenticateHook>, client: Parameters<ReturnType<typeof authenticateHook>>[0]) =>
    new Promise<[AuthenticateError | null, boolean | null]>((resolve) =>
      hook(client, undefined, undefined, (error, success) => resolve([error, success])),
    );

  it('answers aedes success or the refusal', async () => {
    const { state, registry } = testBrokerState();
    const hook = authenticateHook(state);
    expect(await call(hook, testClient(state, identityId, provisionBrowser(registry).auth))).toEqual([null, true]);
    const [error, success] = await call(hook, testClient(state, 'nobody'));
    expect([error?.returnCode, success]).toEqual([5, false]);
  });

  it('answers CONNACK 3 (server unavailable) when authentication itself fails', async () => {
    const { state, registry } = testBrokerState();
    const { auth } = provisionDevice(registry, 'alpha');
    const broken = {
      ...state,
      registry: {
        ...registry,
        findCertificate: () => {
          throw new Error('registry unreadable');
        },
      },
    };
    const [error] = await call(authenticateHook(broken), testClient(state, 'alpha', auth));
    expect(error).toMatchObject({ returnCode: 3, message: 'server unavailable' });
  });
});
