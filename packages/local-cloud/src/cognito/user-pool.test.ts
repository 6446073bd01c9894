import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  ConfirmSignUpCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { cognitoPasswordPolicy, tokenValidity } from '@fleet/core';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsErrorOf, startCognitoHarness, type CognitoHarness } from '../testing/cognito-harness.ts';
import { passwordAuth, refreshAuth } from '../testing/user-pool-sign-in.ts';

const goodPassword = 'Correct-Horse-42';

let h: CognitoHarness;
let poolId: string;
let clientId: string;

beforeAll(async () => {
  h = await startCognitoHarness();
  const pool = await h.idp.send(
    new CreateUserPoolCommand({
      PoolName: 'fleet-users',
      Policies: {
        PasswordPolicy: cognitoPasswordPolicy,
      },
    }),
  );
  poolId = pool.UserPool?.Id ?? '';
  const client = await h.idp.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'web',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  clientId = client.UserPoolClient?.ClientId ?? '';
});

afterAll(async () => {
  await h.close();
});

const signUp = (username: string, password = goodPassword, email = `${username}@example.com`) =>
  h.idp.send(
    new SignUpCommand({ ClientId: clientId, Username: username, Password: password, UserAttributes: [{ Name: 'email', Value: email }] }),
  );

const signIn = (username: string, password = goodPassword) => passwordAuth({ idp: h.idp, clientId, username, password });

async function confirmedUser(username: string): Promise<void> {
  await signUp(username);
  await h.idp.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: username }));
}

describe('user pools and app clients', () => {
  it('creates a pool with a us-east-1_ id and describes its password policy', async () => {
    expect(poolId).toMatch(/^us-east-1_[A-Za-z0-9]{9}$/);
    const described = await h.idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    expect(described.UserPool?.Name).toBe('fleet-users');
    expect(described.UserPool?.Arn).toBe(`arn:aws:cognito-idp:us-east-1:000000000000:userpool/${poolId}`);
    expect(described.UserPool?.Policies?.PasswordPolicy).toMatchObject({
      MinimumLength: 12,
      RequireUppercase: true,
      RequireSymbols: false,
    });
    expect(described.UserPool?.CreationDate).toBeInstanceOf(Date);
  });

  it('lists pools and clients', async () => {
    const pools = await h.idp.send(new ListUserPoolsCommand({ MaxResults: 10 }));
    expect(pools.UserPools?.map((p) => p.Id)).toContain(poolId);
    expect(await awsErrorOf(h.idp.send(new ListUserPoolsCommand({ MaxResults: undefined })))).toEqual({
      name: 'InvalidParameterException',
      message: "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must not be null",
    });
    const clients = await h.idp.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 10 }));
    expect(clients.UserPoolClients).toEqual([{ ClientId: clientId, UserPoolId: poolId, ClientName: 'web' }]);
    expect(clientId).toMatch(/^[a-z0-9]{26}$/);
  });

  it('answers ResourceNotFoundException for an unknown pool or client', async () => {
    expect(await awsErrorOf(h.idp.send(new DescribeUserPoolCommand({ UserPoolId: 'us-east-1_missing00' })))).toEqual({
      name: 'ResourceNotFoundException',
      message: 'User pool us-east-1_missing00 does not exist.',
    });
    expect((await awsErrorOf(signUpWithClient('nosuchclient'))).name).toBe('ResourceNotFoundException');
  });

  it('takes names such as __proto__ as names like any other: unknown, or created and found again', async () => {
    // Found by the AWS port's fuzz test: ListUsers of pool "__proto__" read Object.prototype and answered 500.
    for (const UserPoolId of ['__proto__', 'constructor', 'hasOwnProperty']) {
      expect((await awsErrorOf(h.idp.send(new ListUsersCommand({ UserPoolId })))).name).toBe('ResourceNotFoundException');
    }
    expect((await awsErrorOf(signUpWithClient('__proto__'))).name).toBe('ResourceNotFoundException');
    const odd = (await h.idp.send(new CreateUserPoolCommand({ PoolName: 'odd-names' }))).UserPool?.Id ?? '';
    await h.idp.send(new CreateGroupCommand({ UserPoolId: odd, GroupName: '__proto__', Description: 'odd but allowed' }));
    const groups = await h.idp.send(new ListGroupsCommand({ UserPoolId: odd }));
    expect(groups.Groups?.map((g) => [g.GroupName, g.Description])).toEqual([['__proto__', 'odd but allowed']]);
    expect((await awsErrorOf(h.idp.send(new CreateGroupCommand({ UserPoolId: odd, GroupName: '__proto__' })))).name).toBe(
      'GroupExistsException',
    );
  });

  it('refuses app clients with a secret', async () => {
    const err = await awsErrorOf(
      h.idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'server', GenerateSecret: true })),
    );
    expect(err.name).toBe('InvalidParameterException');
  });

  it('refuses USER_PASSWORD_AUTH on a client that does not allow it', async () => {
    const srpOnly = await h.idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'srp-only' }));
    const err = await awsErrorOf(
      h.idp.send(
        new InitiateAuthCommand({
          ClientId: srpOnly.UserPoolClient?.ClientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'x', PASSWORD: 'y' },
        }),
      ),
    );
    expect(err).toEqual({ name: 'InvalidParameterException', message: 'USER_PASSWORD_AUTH flow not enabled for this client' });
  });
});

const signUpWithClient = (id: string) => h.idp.send(new SignUpCommand({ ClientId: id, Username: 'nobody', Password: goodPassword }));

describe('sign-up and confirmation', () => {
  it('rejects passwords that break the pool policy with InvalidPasswordException', async () => {
    expect(await awsErrorOf(signUp('weak1', 'Short1a'))).toEqual({
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password not long enough',
    });
    expect((await awsErrorOf(signUp('weak2', 'alllowercase-42'))).message).toBe(
      'Password did not conform with policy: Password must have uppercase characters',
    );
    expect((await awsErrorOf(signUp('weak3', 'NoDigitsHere-abc'))).message).toBe(
      'Password did not conform with policy: Password must have numeric characters',
    );
    const listed = await h.idp.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username ^= "weak"' }));
    expect(listed.Users).toEqual([]);
  });

  it('creates an UNCONFIRMED user and refuses a duplicate username', async () => {
    const result = await signUp('alice');
    expect(result.UserConfirmed).toBe(false);
    expect(result.UserSub).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.CodeDeliveryDetails).toEqual({ Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const user = await h.idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }));
    expect(user.UserStatus).toBe('UNCONFIRMED');
    expect(user.UserAttributes).toContainEqual({ Name: 'sub', Value: result.UserSub });
    expect(await awsErrorOf(signUp('alice'))).toEqual({ name: 'UsernameExistsException', message: 'User already exists' });
  });

  it('refuses to sign in an unconfirmed user with UserNotConfirmedException', async () => {
    expect(await awsErrorOf(signIn('alice'))).toEqual({ name: 'UserNotConfirmedException', message: 'User is not confirmed.' });
  });

  it('confirms with the code from confirmation-codes.json and refuses a wrong code', async () => {
    const codes = JSON.parse(await readFile(join(h.dataDir, 'confirmation-codes.json'), 'utf8')) as Record<string, { code: string }>;
    const code = codes[`${poolId}/alice`]?.code ?? '';
    expect(code).toMatch(/^\d{6}$/);
    expect(h.standIn.confirmationCode(poolId, 'alice')).toBe(code);
    const wrong = code === '000000' ? '111111' : '000000';
    expect(
      await awsErrorOf(h.idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'alice', ConfirmationCode: wrong }))),
    ).toEqual({
      name: 'CodeMismatchException',
      message: 'Invalid verification code provided, please try again.',
    });
    await h.idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'alice', ConfirmationCode: code }));
    const user = await h.idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }));
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(user.UserAttributes).toContainEqual({ Name: 'email_verified', Value: 'true' });
    expect(h.standIn.confirmationCode(poolId, 'alice')).toBeUndefined();
    const after = JSON.parse(await readFile(join(h.dataDir, 'confirmation-codes.json'), 'utf8')) as Record<string, unknown>;
    expect(after[`${poolId}/alice`]).toBeUndefined();
  });

  it('AdminConfirmSignUp confirms without a code', async () => {
    await signUp('bob');
    await h.idp.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'bob' }));
    expect((await h.idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'bob' }))).UserStatus).toBe('CONFIRMED');
  });
});

describe('password sign-in, tokens and sessions', () => {
  beforeAll(async () => {
    await confirmedUser('carol');
  });

  it('answers NotAuthorizedException for a wrong password', async () => {
    expect(await awsErrorOf(signIn('carol', 'Wrong-Password-42'))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('answers UserNotFoundException for an unknown user on a LEGACY client', async () => {
    expect((await awsErrorOf(signIn('nobody-here'))).name).toBe('UserNotFoundException');
  });

  it('returns access, id and refresh tokens with Cognito claims and lifetimes', async () => {
    const result = await signIn('carol');
    const auth = result.AuthenticationResult;
    expect(auth?.TokenType).toBe('Bearer');
    expect(auth?.ExpiresIn).toBe(tokenValidity.accessTokenMinutes * 60);
    expect(auth?.RefreshToken).toBeTruthy();
    const access = decodeJwt(auth?.AccessToken ?? '');
    expect(access).toMatchObject({
      token_use: 'access',
      client_id: clientId,
      username: 'carol',
      scope: 'aws.cognito.signin.user.admin',
      iss: `https://cognito-idp.us-east-1.amazonaws.com/${poolId}`,
    });
    expect((access.exp ?? 0) - (access.iat ?? 0)).toBe(3600);
    const id = decodeJwt(auth?.IdToken ?? '');
    expect(id).toMatchObject({
      token_use: 'id',
      aud: clientId,
      'cognito:username': 'carol',
      email: 'carol@example.com',
      email_verified: false,
      sub: access.sub,
      origin_jti: access.origin_jti,
    });
  });

  it('GetUser returns the attributes of the access token owner', async () => {
    const auth = (await signIn('carol')).AuthenticationResult;
    const user = await h.idp.send(new GetUserCommand({ AccessToken: auth?.AccessToken }));
    expect(user.Username).toBe('carol');
    expect(user.UserAttributes).toContainEqual({ Name: 'email', Value: 'carol@example.com' });
  });

  it('GetUser refuses invalid, tampered and expired access tokens', async () => {
    expect(await awsErrorOf(h.idp.send(new GetUserCommand({ AccessToken: 'not-a-jwt' })))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Invalid Access Token',
    });
    const auth = (await signIn('carol')).AuthenticationResult;
    const [header, , signature] = (auth?.AccessToken ?? '').split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(auth?.AccessToken ?? ''), username: 'bob' })).toString('base64url');
    expect((await awsErrorOf(h.idp.send(new GetUserCommand({ AccessToken: `${header}.${forged}.${signature}` })))).message).toBe(
      'Invalid Access Token',
    );
    const idToken = auth?.IdToken;
    expect((await awsErrorOf(h.idp.send(new GetUserCommand({ AccessToken: idToken })))).message).toBe('Invalid Access Token');
    h.clockOffsetMs = -2 * 3600 * 1000;
    const old = (await signIn('carol')).AuthenticationResult;
    h.clockOffsetMs = 0;
    expect(await awsErrorOf(h.idp.send(new GetUserCommand({ AccessToken: old?.AccessToken })))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Access Token has expired',
    });
  });

  it('REFRESH_TOKEN_AUTH issues new tokens for the same session', async () => {
    const first = (await signIn('carol')).AuthenticationResult;
    const refreshed = await refreshAuth({ idp: h.idp, clientId, refreshToken: first?.RefreshToken });
    expect(refreshed.AuthenticationResult?.RefreshToken).toBeUndefined();
    const access = decodeJwt(refreshed.AuthenticationResult?.AccessToken ?? '');
    expect(access.origin_jti).toBe(decodeJwt(first?.AccessToken ?? '').origin_jti);
    expect(access.jti).not.toBe(decodeJwt(first?.AccessToken ?? '').jti);
    expect(await awsErrorOf(refreshAuth({ idp: h.idp, clientId, refreshToken: 'bogus' }))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Invalid Refresh Token',
    });
  });

  it('GlobalSignOut revokes refresh tokens and the access tokens of every session', async () => {
    await confirmedUser('dave');
    const one = (await signIn('dave')).AuthenticationResult;
    const two = (await signIn('dave')).AuthenticationResult;
    await h.idp.send(new GlobalSignOutCommand({ AccessToken: one?.AccessToken }));
    for (const session of [one, two]) {
      expect(await awsErrorOf(refreshAuth({ idp: h.idp, clientId, refreshToken: session?.RefreshToken }))).toEqual({
        name: 'NotAuthorizedException',
        message: 'Refresh Token has been revoked',
      });
      expect(await awsErrorOf(h.idp.send(new GetUserCommand({ AccessToken: session?.AccessToken })))).toEqual({
        name: 'NotAuthorizedException',
        message: 'Access Token has been revoked',
      });
    }
    const fresh = (await signIn('dave')).AuthenticationResult;
    expect((await h.idp.send(new GetUserCommand({ AccessToken: fresh?.AccessToken }))).Username).toBe('dave');
  });
});

describe('administrator-created users', () => {
  it('AdminCreateUser makes a FORCE_CHANGE_PASSWORD user who must answer NEW_PASSWORD_REQUIRED', async () => {
    const created = await h.idp.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'erin',
        TemporaryPassword: 'Temporary-Pass-1',
        UserAttributes: [{ Name: 'email', Value: 'erin@example.com' }],
        MessageAction: 'SUPPRESS',
      }),
    );
    expect(created.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    expect(created.User?.Enabled).toBe(true);
    const challenge = await signIn('erin', 'Temporary-Pass-1');
    expect(challenge.AuthenticationResult).toBeUndefined();
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(challenge.ChallengeParameters?.USER_ID_FOR_SRP).toBe('erin');
    const respond = (newPassword: string, session = challenge.Session) =>
      h.idp.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: session,
          ChallengeResponses: { USERNAME: 'erin', NEW_PASSWORD: newPassword },
        }),
      );
    expect((await awsErrorOf(respond('weak'))).name).toBe('InvalidPasswordException');
    expect(await awsErrorOf(respond(goodPassword, 'made-up-session'))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Invalid session for the user, session is expired.',
    });
    const done = await respond(goodPassword);
    expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
    expect((await h.idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'erin' }))).UserStatus).toBe('CONFIRMED');
    expect((await signIn('erin')).AuthenticationResult?.IdToken).toBeTruthy();
    expect((await awsErrorOf(signIn('erin', 'Temporary-Pass-1'))).name).toBe('NotAuthorizedException');
  });

  it('AdminCreateUser without MessageAction SUPPRESS writes the invitation Cognito would mail to invitations.json', async () => {
    await h.idp.send(
      new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'hugo', UserAttributes: [{ Name: 'email', Value: 'hugo@example.com' }] }),
    );
    const invitations = JSON.parse(await readFile(join(h.dataDir, 'invitations.json'), 'utf8')) as Record<
      string,
      { temporaryPassword: string; expiresAt: string }
    >;
    const invitation = invitations[`${poolId}/hugo`];
    expect(invitation?.temporaryPassword).toBeTruthy();
    expect(Date.parse(invitation?.expiresAt ?? '')).toBeGreaterThan(Date.now());
    expect((await signIn('hugo', invitation?.temporaryPassword ?? '')).ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(Object.keys(invitations)).not.toContain(`${poolId}/erin`); // suppressed: no mail, no entry
  });

  it('refuses a username longer than 128 characters or with spaces, and an attribute over 2048, as Cognito does', async () => {
    for (const Username of ['u'.repeat(129), 'u'.repeat(100_000), 'two words']) {
      const err = await awsErrorOf(h.idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS' })));
      expect(err.name).toBe('InvalidParameterException');
      expect(err.message).toContain("Value at 'username' failed to satisfy constraint");
    }
    const long = await awsErrorOf(
      h.idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'ivan',
          UserAttributes: [{ Name: 'email', Value: `${'i'.repeat(2050)}@example.com` }],
          MessageAction: 'SUPPRESS',
        }),
      ),
    );
    expect(long.name).toBe('InvalidParameterException');
    expect(
      (await h.idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'u'.repeat(128), MessageAction: 'SUPPRESS' }))).User,
    ).toBeDefined();
  });

  it('AdminCreateUser rejects a duplicate and a temporary password that breaks the policy', async () => {
    expect(
      (
        await awsErrorOf(
          h.idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'erin', TemporaryPassword: 'Temporary-Pass-1' })),
        )
      ).name,
    ).toBe('UsernameExistsException');
    expect(
      (await awsErrorOf(h.idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'frank', TemporaryPassword: 'short' }))))
        .name,
    ).toBe('InvalidPasswordException');
  });

  it('AdminSetUserPassword with Permanent makes the user CONFIRMED with the new password', async () => {
    await h.idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'gina', MessageAction: 'SUPPRESS' }));
    await h.idp.send(
      new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'gina', Password: 'Gina-Password-99', Permanent: true }),
    );
    expect((await h.idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'gina' }))).UserStatus).toBe('CONFIRMED');
    expect((await signIn('gina', 'Gina-Password-99')).AuthenticationResult?.AccessToken).toBeTruthy();
    expect(
      (
        await awsErrorOf(
          h.idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'gina', Password: 'weak', Permanent: true })),
        )
      ).name,
    ).toBe('InvalidPasswordException');
  });

  it('a disabled user cannot sign in until enabled again', async () => {
    await h.idp.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'gina' }));
    expect(await awsErrorOf(signIn('gina', 'Gina-Password-99'))).toEqual({ name: 'NotAuthorizedException', message: 'User is disabled.' });
    expect((await h.idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'gina' }))).Enabled).toBe(false);
    await h.idp.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'gina' }));
    expect((await signIn('gina', 'Gina-Password-99')).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('ListUsers filters by attribute and AdminDeleteUser removes the user', async () => {
    const byEmail = await h.idp.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'email = "erin@example.com"' }));
    expect(byEmail.Users?.map((u) => u.Username)).toEqual(['erin']);
    const page = await h.idp.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 2 }));
    expect(page.Users).toHaveLength(2);
    expect(page.PaginationToken).toBeTruthy();
    const next = await h.idp.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 2, PaginationToken: page.PaginationToken }));
    expect(next.Users?.[0]?.Username).not.toBe(page.Users?.[0]?.Username);
    expect((await awsErrorOf(h.idp.send(new ListUsersCommand({ UserPoolId: poolId, PaginationToken: 'not-ours' })))).name).toBe(
      'InvalidParameterException',
    );
    await h.idp.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'gina' }));
    expect(await awsErrorOf(h.idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'gina' })))).toEqual({
      name: 'UserNotFoundException',
      message: 'User does not exist.',
    });
    expect((await awsErrorOf(h.idp.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'gina' })))).name).toBe(
      'UserNotFoundException',
    );
  });
});

describe('groups', () => {
  beforeAll(async () => {
    await confirmedUser('henry');
    await h.idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'viewer', Precedence: 3 }));
    await h.idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admin', Precedence: 1, Description: 'Manages users' }));
  });

  it('lists groups and refuses a duplicate with GroupExistsException', async () => {
    const groups = await h.idp.send(new ListGroupsCommand({ UserPoolId: poolId }));
    expect(groups.Groups?.map((g) => [g.GroupName, g.Precedence])).toEqual([
      ['admin', 1],
      ['viewer', 3],
    ]);
    expect((await awsErrorOf(h.idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admin' })))).name).toBe(
      'GroupExistsException',
    );
  });

  it('adds and removes members, and tokens carry cognito:groups by precedence', async () => {
    await h.idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'henry', GroupName: 'viewer' }));
    await h.idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'henry', GroupName: 'admin' }));
    const forUser = await h.idp.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'henry' }));
    expect(forUser.Groups?.map((g) => g.GroupName)).toEqual(['admin', 'viewer']);
    const members = await h.idp.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'admin' }));
    expect(members.Users?.map((u) => u.Username)).toEqual(['henry']);
    const tokens = (await signIn('henry')).AuthenticationResult;
    expect(decodeJwt(tokens?.AccessToken ?? '')['cognito:groups']).toEqual(['admin', 'viewer']);
    expect(decodeJwt(tokens?.IdToken ?? '')['cognito:groups']).toEqual(['admin', 'viewer']);

    await h.idp.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: 'henry', GroupName: 'admin' }));
    const after = (await signIn('henry')).AuthenticationResult;
    expect(decodeJwt(after?.AccessToken ?? '')['cognito:groups']).toEqual(['viewer']);
    expect((await h.idp.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'admin' }))).Users).toEqual([]);
  });

  it('omits cognito:groups for a user in no group', async () => {
    const tokens = (await signIn('carol')).AuthenticationResult;
    expect(decodeJwt(tokens?.AccessToken ?? '')).not.toHaveProperty('cognito:groups');
  });

  it('answers ResourceNotFoundException for a missing group and UserNotFoundException for a missing user', async () => {
    expect(
      await awsErrorOf(h.idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'henry', GroupName: 'nope' }))),
    ).toEqual({
      name: 'ResourceNotFoundException',
      message: 'Group not found.',
    });
    expect(
      (await awsErrorOf(h.idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'nobody', GroupName: 'admin' })))).name,
    ).toBe('UserNotFoundException');
  });
});

describe('a pool where users sign in with their email (as the launcher provisions it)', () => {
  it('uses the sub as username and accepts the email to sign in', async () => {
    const pool = await h.idp.send(
      new CreateUserPoolCommand({ PoolName: 'by-email', UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] }),
    );
    const emailPoolId = pool.UserPool?.Id ?? '';
    const client = await h.idp.send(
      new CreateUserPoolClientCommand({ UserPoolId: emailPoolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }),
    );
    const emailClientId = client.UserPoolClient?.ClientId ?? '';
    expect(
      (await awsErrorOf(h.idp.send(new SignUpCommand({ ClientId: emailClientId, Username: 'not-an-email', Password: 'Pass-word-1234!' }))))
        .message,
    ).toBe('Username should be an email.');
    const signedUp = await h.idp.send(
      new SignUpCommand({ ClientId: emailClientId, Username: 'ivy@example.com', Password: 'Pass-word-1234!' }),
    );
    expect(
      await awsErrorOf(
        h.idp.send(new SignUpCommand({ ClientId: emailClientId, Username: 'IVY@example.com', Password: 'Pass-word-1234!' })),
      ),
    ).toEqual({
      name: 'UsernameExistsException',
      message: 'An account with the given email already exists.',
    });
    const code = h.standIn.confirmationCode(emailPoolId, 'ivy@example.com') ?? '';
    await h.idp.send(new ConfirmSignUpCommand({ ClientId: emailClientId, Username: 'ivy@example.com', ConfirmationCode: code }));
    const auth = await h.idp.send(
      new InitiateAuthCommand({
        ClientId: emailClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'ivy@example.com', PASSWORD: 'Pass-word-1234!' },
      }),
    );
    const access = decodeJwt(auth.AuthenticationResult?.AccessToken ?? '');
    expect(access.username).toBe(signedUp.UserSub);
    expect(decodeJwt(auth.AuthenticationResult?.IdToken ?? '')).toMatchObject({ email: 'ivy@example.com', email_verified: true });
  });
});
