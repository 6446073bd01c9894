/**
 * The API against the local Cognito stand-in (user pool, identity pool, JWKS over http) and the
 * IoT stand-in, through the real SDK clients: tokens the local user pool issues pass the API's
 * verifier with the JWKS fetched from the URL resolved the SDK's way, and /api/me, live access
 * and user administration make the Cognito and IoT calls they are meant to.
 */
import { rm } from 'node:fs/promises';
import { CreateIdentityPoolCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ListAttachedPoliciesCommand } from '@aws-sdk/client-iot';
import { browserPolicyName, userPoolGroups } from '@fleet/core';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The stand-ins' test harnesses live in local-cloud, which has no package entry point yet.
import { startCognitoHarness, type CognitoHarness } from '../../../../packages/local-cloud/src/cognito/cognito-test-harness.ts';
import { createFleetPolicies, startFixture, type Fixture } from '../../../../packages/local-cloud/src/iot/iot-test-fixture.ts';
import { buildApp } from '../app.ts';
import { cognitoJwksUrl } from '../config.ts';
import { startTestDynamo, type TestDynamo } from '../test-support/dynalite-tables.ts';
import { testConfig } from '../test-support/test-app.ts';
import { createTokenVerifier, fetchJwks } from './token-verifier.ts';

const password = 'Integration-Pass-123';
let cognito: CognitoHarness;
let iot: Fixture;
let dynamo: TestDynamo;
let app: FastifyInstance;
let userPoolId: string;
let clientId: string;
let identityPoolId: string;

async function signIn(username: string): Promise<{ access: string; id: string }> {
  const out = await cognito.idp.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
  return { access: out.AuthenticationResult?.AccessToken ?? '', id: out.AuthenticationResult?.IdToken ?? '' };
}

beforeAll(async () => {
  [cognito, iot, dynamo] = await Promise.all([startCognitoHarness(), startFixture(), startTestDynamo()]);
  await createFleetPolicies(iot.control);
  userPoolId = (await cognito.idp.send(new CreateUserPoolCommand({ PoolName: 'fleet-users' }))).UserPool?.Id ?? '';
  clientId =
    (
      await cognito.idp.send(
        new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }),
      )
    ).UserPoolClient?.ClientId ?? '';
  for (const g of userPoolGroups) {
    await cognito.idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: g.name, Precedence: g.precedence }));
  }
  for (const [username, group] of [
    ['ada', 'admin'],
    ['vic', undefined],
  ] as const) {
    await cognito.idp.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: username,
        UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
        MessageAction: 'SUPPRESS',
      }),
    );
    await cognito.idp.send(
      new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: username, Password: password, Permanent: true }),
    );
    if (group) await cognito.idp.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }));
  }
  const provider = `cognito-idp.us-east-1.amazonaws.com/${userPoolId}`;
  identityPoolId =
    (
      await cognito.identity.send(
        new CreateIdentityPoolCommand({
          IdentityPoolName: 'browsers',
          AllowUnauthenticatedIdentities: false,
          CognitoIdentityProviders: [{ ProviderName: provider, ClientId: clientId }],
        }),
      )
    ).IdentityPoolId ?? '';

  const logger = pino({ level: 'silent' });
  // The same resolution main.ts applies, with AWS_ENDPOINT_URL as the local launcher sets it.
  const jwksUrl = cognitoJwksUrl({ AWS_ENDPOINT_URL: cognito.endpoint }, 'us-east-1', userPoolId);
  app = await buildApp({
    config: { ...testConfig, userPoolId, userPoolClientId: clientId, identityPoolId, browserPolicyName },
    clients: { iot: iot.control, iotData: iot.data, dynamo: dynamo.doc, cognito: cognito.idp, cognitoIdentity: cognito.identity },
    verifier: createTokenVerifier({ userPoolId, clientId, loadJwks: () => fetchJwks(jwksUrl), logger }),
    logger,
    docsUi: false,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await Promise.all([cognito?.close(), iot?.close(), dynamo?.close()]);
  // The harness keeps its data folder (restart tests reuse it); this test does not.
  if (cognito) await rm(cognito.dataDir, { recursive: true, force: true });
});

describe('API with the local Cognito and IoT stand-ins', () => {
  it('accepts a user pool access token and answers the user with email and role', async () => {
    const { access } = await signIn('ada');
    const res = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${access}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: 'ada', email: 'ada@example.com', role: 'admin', groups: ['admin'] });
  });

  it('grants live access: the identity of the ID token gets the browser IoT policy', async () => {
    const { access, id } = await signIn('ada');
    const res = await app.inject({
      method: 'POST',
      url: '/api/me/live-access',
      headers: { authorization: `Bearer ${access}` },
      payload: { idToken: id },
    });
    expect(res.statusCode).toBe(200);
    const { identityId } = res.json();
    const expected = await cognito.identity.send(
      new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [`cognito-idp.us-east-1.amazonaws.com/${userPoolId}`]: id } }),
    );
    expect(identityId).toBe(expected.IdentityId);
    const attached = await iot.control.send(new ListAttachedPoliciesCommand({ target: identityId }));
    expect(attached.policies?.map((p) => p.policyName)).toEqual([browserPolicyName]);
  });

  it('lets an admin list users and demote a user, whose next token then carries the new role', async () => {
    const admin = `Bearer ${(await signIn('ada')).access}`;
    const list = await app.inject({ method: 'GET', url: '/api/users', headers: { authorization: admin } });
    expect(list.statusCode).toBe(200);
    const roles = Object.fromEntries(list.json().users.map((u: { username: string; role: string }) => [u.username, u.role]));
    expect(roles).toEqual({ ada: 'admin', vic: 'operator' });

    const put = await app.inject({
      method: 'PUT',
      url: '/api/users/vic/role',
      headers: { authorization: admin },
      payload: { role: 'viewer' },
    });
    expect(put.statusCode).toBe(200);
    const vic = `Bearer ${(await signIn('vic')).access}`;
    const me = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: vic } });
    expect(me.json()).toMatchObject({ username: 'vic', role: 'viewer', groups: ['viewer'] });
    const register = await app.inject({ method: 'POST', url: '/api/devices', headers: { authorization: vic }, payload: { name: 'nope' } });
    expect(register.statusCode).toBe(403);
  });
});
