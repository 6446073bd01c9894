/**
 * The API against the local Cognito stand-in (user pool, identity pool, JWKS over http) and the
 * IoT stand-in, through the real SDK clients: tokens the local user pool issues pass the API's
 * verifier with the JWKS fetched from the URL resolved the SDK's way, and /api/me, live access
 * and user administration make the Cognito and IoT calls they are meant to.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GetIdCommand } from '@aws-sdk/client-cognito-identity';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ListAttachedPoliciesCommand } from '@aws-sdk/client-iot';
import { browserPolicyName, browserPolicyNameFor, userPoolGroups } from '@fleet/core';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBrowserIdentityPool,
  createFleetPolicies,
  passwordSignInTokens,
  startCognitoHarness,
  startIotFixture,
  type CognitoHarness,
  type IotFixture,
} from '@fleet/local-cloud/testing';
import { buildApp } from '../app.ts';

import { asCaller } from '../test-support/as-caller.ts';
import { startTestDynamo, type TestDynamo } from '../test-support/dynalite-tables.ts';
import { testConfig } from '../test-support/test-app.ts';
import { cognitoJwksUrl, createTokenVerifier, fetchJwks } from '@fleet/core/tokens';
import type { SNSClient } from '@aws-sdk/client-sns';
import { fakeAwsClient } from '../test-support/fake-aws-client.ts';

/** SNS is not called here: any call fails naming its command. */
const noSns = fakeAwsClient<SNSClient>().client;
const noCloudWatch = fakeAwsClient<CloudWatchClient>().client;

const password = 'Integration-Pass-123';
let cognito: CognitoHarness;
let iot: IotFixture;
let dynamo: TestDynamo;
let app: FastifyInstance;
let userPoolId: string;
let clientId: string;
let identityPoolId: string;

const signIn = (username: string) => passwordSignInTokens({ idp: cognito.idp, clientId, username, password });

beforeAll(async () => {
  [cognito, iot, dynamo] = await Promise.all([startCognitoHarness(), startIotFixture(), startTestDynamo()]);
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
  identityPoolId = await createBrowserIdentityPool(cognito.identity, { userPoolId, clientId });

  const logger = pino({ level: 'silent' });
  // The same resolution main.ts applies, with AWS_ENDPOINT_URL as the local launcher sets it.
  const jwksUrl = cognitoJwksUrl({ region: 'us-east-1', userPoolId, awsEndpointUrl: cognito.endpoint });
  app = await buildApp({
    config: { ...testConfig, userPoolId, userPoolClientId: clientId, identityPoolId, browserPolicyName },
    clients: {
      iot: iot.control,
      iotData: iot.data,
      dynamo: dynamo.doc,
      cognito: cognito.idp,
      cognitoIdentity: cognito.identity,
      sns: noSns,
      cloudwatch: noCloudWatch,
    },
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
    const res = await asCaller(app, `Bearer ${access}`).get('/api/me');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: 'ada', email: 'ada@example.com', role: 'admin', groups: ['admin'] });
  });

  it("grants live access: the identity of the ID token gets the user's own browser IoT policy", async () => {
    const { access, id } = await signIn('ada');
    const res = await asCaller(app, `Bearer ${access}`).post('/api/me/live-access', { idToken: id });
    expect(res.statusCode).toBe(200);
    const { identityId } = res.json();
    const expected = await cognito.identity.send(
      new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [`cognito-idp.us-east-1.amazonaws.com/${userPoolId}`]: id } }),
    );
    expect(identityId).toBe(expected.IdentityId);
    const attached = await iot.control.send(new ListAttachedPoliciesCommand({ target: identityId }));
    const sub = String(JSON.parse(Buffer.from(id.split('.')[1] ?? '', 'base64url').toString())['sub']);
    expect(attached.policies?.map((p) => p.policyName)).toEqual([browserPolicyNameFor(sub)]);
  });

  it('lets an admin list users and promote one, whose next token then carries the new role', async () => {
    const admin = `Bearer ${(await signIn('ada')).access}`;
    const list = await asCaller(app, admin).get('/api/users');
    expect(list.statusCode).toBe(200);
    const roles = Object.fromEntries(list.json().users.map((u: { username: string; role: string }) => [u.username, u.role]));
    // vic is in no group: the least role.
    expect(roles).toEqual({ ada: 'admin', vic: 'viewer' });
    const before = `Bearer ${(await signIn('vic')).access}`;
    const refused = await asCaller(app, before).post('/api/devices', { name: 'nope' });
    expect(refused.statusCode).toBe(403);

    const put = await asCaller(app, admin).put('/api/users/vic/role', { role: 'operator' });
    expect(put.statusCode).toBe(200);
    // The old token still says viewer; /api/me tells the difference so the web app refreshes.
    const stale = await asCaller(app, before).get('/api/me');
    expect(stale.json()).toMatchObject({ role: 'operator', tokenRole: 'viewer' });
    const vic = `Bearer ${(await signIn('vic')).access}`;
    const me = await asCaller(app, vic).get('/api/me');
    expect(me.json()).toMatchObject({ username: 'vic', role: 'operator', tokenRole: 'operator', groups: ['operator'] });
    const devices = await asCaller(app, vic).get('/api/devices');
    expect(devices.statusCode).toBe(200);
  });
});

describe("a fresh pool that signs in by email, as Fleet's does", () => {
  let pool: { id: string; client: string };
  let fresh: FastifyInstance;

  beforeAll(async () => {
    const id = (await cognito.idp.send(new CreateUserPoolCommand({ PoolName: 'fresh', UsernameAttributes: ['email'] }))).UserPool?.Id ?? '';
    const client =
      (
        await cognito.idp.send(
          new CreateUserPoolClientCommand({ UserPoolId: id, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }),
        )
      ).UserPoolClient?.ClientId ?? '';
    for (const g of userPoolGroups) {
      await cognito.idp.send(new CreateGroupCommand({ UserPoolId: id, GroupName: g.name, Precedence: g.precedence }));
    }
    pool = { id, client };
    const logger = pino({ level: 'silent' });
    const jwksUrl = cognitoJwksUrl({ region: 'us-east-1', userPoolId: id, awsEndpointUrl: cognito.endpoint });
    fresh = await buildApp({
      config: { ...testConfig, userPoolId: id, userPoolClientId: client },
      clients: {
        iot: iot.control,
        iotData: iot.data,
        dynamo: dynamo.doc,
        cognito: cognito.idp,
        cognitoIdentity: cognito.identity,
        sns: noSns,
        cloudwatch: noCloudWatch,
      },
      verifier: createTokenVerifier({ userPoolId: id, clientId: client, loadJwks: () => fetchJwks(jwksUrl), logger }),
      logger,
      docsUi: false,
    });
    await fresh.ready();
  });
  afterAll(() => fresh?.close());

  async function signUpAndIn(email: string, pw = password): Promise<string> {
    await cognito.idp.send(
      new SignUpCommand({ ClientId: pool.client, Username: email, Password: pw, UserAttributes: [{ Name: 'email', Value: email }] }),
    );
    await cognito.idp.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.id, Username: email }));
    return emailSignIn(email, pw);
  }

  async function emailSignIn(email: string, pw = password): Promise<string> {
    const out = await cognito.idp.send(
      new InitiateAuthCommand({ ClientId: pool.client, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: pw } }),
    );
    return `Bearer ${out.AuthenticationResult?.AccessToken ?? ''}`;
  }

  const me = async (authorization: string) => (await asCaller(fresh, authorization).get('/api/me')).json();

  it('makes the first user admin and the second a viewer; the first admin invites a third as operator', async () => {
    const first = await signUpAndIn('first@example.com');
    expect(await me(first)).toMatchObject({ role: 'admin', tokenRole: 'viewer', firstAdmin: true });
    // A refreshed sign-in carries the admin group.
    const admin = await emailSignIn('first@example.com');
    expect(await me(admin)).toMatchObject({ role: 'admin', tokenRole: 'admin' });
    expect(await me(await signUpAndIn('second@example.com'))).toMatchObject({ role: 'viewer', tokenRole: 'viewer' });

    const invite = await asCaller(fresh, admin).post('/api/users', { email: 'third@example.com', role: 'operator' });
    expect(invite.statusCode).toBe(201);
    expect(invite.json().user).toMatchObject({ email: 'third@example.com', status: 'FORCE_CHANGE_PASSWORD', role: 'operator' });
    // The invitation mail, as the local cloud keeps it; the invited user sets a password at first sign-in.
    const invitations = JSON.parse(await readFile(join(cognito.dataDir, 'invitations.json'), 'utf8')) as Record<
      string,
      { temporaryPassword: string }
    >;
    const temporaryPassword = invitations[`${pool.id}/third@example.com`]?.temporaryPassword ?? '';
    const challenge = await cognito.idp.send(
      new InitiateAuthCommand({
        ClientId: pool.client,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'third@example.com', PASSWORD: temporaryPassword },
      }),
    );
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const done = await cognito.idp.send(
      new RespondToAuthChallengeCommand({
        ClientId: pool.client,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: 'third@example.com', NEW_PASSWORD: password },
      }),
    );
    expect(await me(`Bearer ${done.AuthenticationResult?.AccessToken ?? ''}`)).toMatchObject({ role: 'operator', tokenRole: 'operator' });
  });
});
