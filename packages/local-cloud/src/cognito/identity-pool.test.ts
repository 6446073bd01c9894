import {
  DescribeIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  ListIdentityPoolsCommand,
} from '@aws-sdk/client-cognito-identity';
import {
  AdminConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserIdentityPool, userPoolProvider } from '../testing/browser-identity-pool.ts';
import { awsErrorOf, startCognitoHarness, type CognitoHarness } from '../testing/cognito-harness.ts';
import { passwordSignInTokens } from '../testing/user-pool-sign-in.ts';

const password = 'Identity-Pass-123';
let h: CognitoHarness;
let userPoolId: string;
let clientId: string;
let provider: string;
let identityPoolId: string;

const signIn = (username: string) => passwordSignInTokens({ idp: h.idp, clientId, username, password });

beforeAll(async () => {
  h = await startCognitoHarness();
  userPoolId = (await h.idp.send(new CreateUserPoolCommand({ PoolName: 'users' }))).UserPool?.Id ?? '';
  clientId =
    (
      await h.idp.send(
        new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }),
      )
    ).UserPoolClient?.ClientId ?? '';
  for (const username of ['una', 'vic']) {
    await h.idp.send(new SignUpCommand({ ClientId: clientId, Username: username, Password: password }));
    await h.idp.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: username }));
  }
  provider = userPoolProvider(userPoolId);
  identityPoolId = await createBrowserIdentityPool(h.identity, { userPoolId, clientId });
});

afterAll(async () => {
  await h.close();
});

describe('identity pools', () => {
  it('creates, describes and lists an identity pool', async () => {
    expect(identityPoolId).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
    const described = await h.identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: identityPoolId }));
    expect(described).toMatchObject({
      IdentityPoolName: 'browsers',
      AllowUnauthenticatedIdentities: false,
      CognitoIdentityProviders: [{ ProviderName: provider, ClientId: clientId }],
    });
    const listed = await h.identity.send(new ListIdentityPoolsCommand({ MaxResults: 10 }));
    expect(listed.IdentityPools).toEqual([{ IdentityPoolId: identityPoolId, IdentityPoolName: 'browsers' }]);
    expect(await awsErrorOf(h.identity.send(new ListIdentityPoolsCommand({ MaxResults: undefined })))).toEqual({
      name: 'InvalidParameterException',
      message: "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must not be null",
    });
    expect(
      (
        await awsErrorOf(
          h.identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: 'us-east-1:00000000-0000-0000-0000-000000000000' })),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
  });

  it('GetId returns one stable identity per user', async () => {
    const una1 = await h.identity.send(
      new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [provider]: (await signIn('una')).id } }),
    );
    const una2 = await h.identity.send(
      new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [provider]: (await signIn('una')).id } }),
    );
    const vic = await h.identity.send(
      new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [provider]: (await signIn('vic')).id } }),
    );
    expect(una1.IdentityId).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
    expect(una2.IdentityId).toBe(una1.IdentityId);
    expect(vic.IdentityId).not.toBe(una1.IdentityId);
  });

  it('GetCredentialsForIdentity issues one-hour ASIA credentials that lookupCredentials finds until they expire', async () => {
    const logins = { [provider]: (await signIn('una')).id };
    const { IdentityId } = await h.identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: logins }));
    const before = Date.now();
    const result = await h.identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }));
    const creds = result.Credentials;
    expect(result.IdentityId).toBe(IdentityId);
    expect(creds?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(creds?.SecretKey).toBeTruthy();
    expect(creds?.SessionToken).toBeTruthy();
    const expiresIn = (creds?.Expiration?.getTime() ?? 0) - before;
    expect(expiresIn).toBeGreaterThan(3590_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000 + 1000);

    const found = h.standIn.lookupCredentials(creds?.AccessKeyId ?? '');
    expect(found).toEqual({
      secretAccessKey: creds?.SecretKey,
      sessionToken: creds?.SessionToken,
      identityId: IdentityId,
      expiration: creds?.Expiration,
    });
    expect(h.standIn.lookupCredentials('ASIAUNKNOWNUNKNOWN00')).toBeUndefined();
    h.clockOffsetMs = 3601_000;
    expect(h.standIn.lookupCredentials(creds?.AccessKeyId ?? '')).toBeUndefined();
    h.clockOffsetMs = 0;
  });

  it('keeps expired credentials known for a day, so the AWS port answers ExpiredTokenException for them', async () => {
    const logins = { [provider]: (await signIn('vic')).id };
    const { IdentityId } = await h.identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: logins }));
    const creds = (await h.identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }))).Credentials;
    const accessKeyId = creds?.AccessKeyId ?? '';
    h.clockOffsetMs = 2 * 3600_000;
    try {
      // A later save prunes what expired more than a day ago, not what just expired.
      await h.identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: { [provider]: (await signIn('vic')).id } }));
      expect(h.standIn.issuedCredentials(accessKeyId)).toMatchObject({ identityId: IdentityId, sessionToken: creds?.SessionToken });
      expect(h.standIn.issuedCredentials(accessKeyId)?.expiresAt).toBeLessThan(Date.now() + h.clockOffsetMs);
    } finally {
      h.clockOffsetMs = 0;
    }
  });

  it('finds no credentials for access keys named like Object members', () => {
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(h.standIn.lookupCredentials(key)).toBeUndefined();
      expect(h.standIn.issuedCredentials(key)).toBeUndefined();
    }
  });

  it('refuses GetId without Logins, with a bad token, an access token or an unknown provider', async () => {
    const get = (logins?: Record<string, string>) =>
      awsErrorOf(h.identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: logins })));
    expect(await get()).toEqual({
      name: 'NotAuthorizedException',
      message: 'Unauthenticated access is not supported for this identity pool.',
    });
    expect((await get({ [provider]: 'garbage' })).name).toBe('NotAuthorizedException');
    expect((await get({ [provider]: (await signIn('una')).access })).name).toBe('NotAuthorizedException');
    const otherProvider = 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Other0000';
    expect(await get({ [otherProvider]: (await signIn('una')).id })).toEqual({
      name: 'NotAuthorizedException',
      message: 'Invalid login token. Token is not from a supported provider of this identity pool.',
    });
  });

  it('refuses an expired id token', async () => {
    h.clockOffsetMs = -2 * 3600 * 1000;
    const old = (await signIn('una')).id;
    h.clockOffsetMs = 0;
    expect(await awsErrorOf(h.identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [provider]: old } })))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Invalid login token. Token expired.',
    });
  });

  it("refuses credentials for another user's identity or without Logins", async () => {
    const unaLogins = { [provider]: (await signIn('una')).id };
    const { IdentityId } = await h.identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: unaLogins }));
    const vicLogins = { [provider]: (await signIn('vic')).id };
    expect((await awsErrorOf(h.identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: vicLogins })))).message).toMatch(
      /^Logins don't match/,
    );
    expect((await awsErrorOf(h.identity.send(new GetCredentialsForIdentityCommand({ IdentityId })))).name).toBe('NotAuthorizedException');
    expect(
      (
        await awsErrorOf(
          h.identity.send(
            new GetCredentialsForIdentityCommand({ IdentityId: 'us-east-1:00000000-0000-0000-0000-000000000000', Logins: unaLogins }),
          ),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
  });
});
