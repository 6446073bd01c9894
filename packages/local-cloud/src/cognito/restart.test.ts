/** Everything the stand-in knows survives close + re-create on the same data folder. */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import {
  AdminConfirmSignUpCommand,
  AdminListGroupsForUserCommand,
  AdminAddUserToGroupCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import { afterAll, describe, expect, it } from 'vitest';
import { createBrowserIdentityPool, userPoolProvider } from '../testing/browser-identity-pool.ts';
import { newDataDir, startCognitoHarness, type CognitoHarness } from '../testing/cognito-harness.ts';
import { passwordAuth, refreshAuth } from '../testing/user-pool-sign-in.ts';

const password = 'Survive-Restart-1';
let h: CognitoHarness | undefined;

afterAll(async () => {
  await h?.close();
});

describe('restart on the same data folder', () => {
  it('keeps pools, users, groups, refresh tokens, identities, credentials and the signing key', async () => {
    const dataDir = await newDataDir();
    h = await startCognitoHarness({ dataDir });
    const userPoolId = (await h.idp.send(new CreateUserPoolCommand({ PoolName: 'users' }))).UserPool?.Id ?? '';
    const clientId =
      (
        await h.idp.send(
          new CreateUserPoolClientCommand({
            UserPoolId: userPoolId,
            ClientName: 'web',
            ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          }),
        )
      ).UserPoolClient?.ClientId ?? '';
    await h.idp.send(new SignUpCommand({ ClientId: clientId, Username: 'wes', Password: password }));
    await h.idp.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: 'wes' }));
    await h.idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: 'admin' }));
    await h.idp.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: 'wes', GroupName: 'admin' }));
    // `h` is the harness of the current start: after the restart, the new one.
    const signIn = () => passwordAuth({ idp: h!.idp, clientId, username: 'wes', password });
    const before = (await signIn()).AuthenticationResult;
    const provider = userPoolProvider(userPoolId);
    const identityPoolId = await createBrowserIdentityPool(h.identity, { userPoolId, clientId });
    const logins = { [provider]: before?.IdToken ?? '' };
    const { IdentityId } = await h.identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: logins }));
    const creds = (await h.identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }))).Credentials;
    const jwksBefore = await (await fetch(`${h.endpoint}/${userPoolId}/.well-known/jwks.json`)).json();
    await h.close();

    // Nothing secret in clear on disk, and the key is private to the user.
    const stateText = await readFile(join(dataDir, 'state.json'), 'utf8');
    expect(stateText).not.toContain(password);
    expect(stateText).not.toContain(before?.RefreshToken ?? 'missing');
    expect((await stat(join(dataDir, 'signing-key.pem'))).mode & 0o777).toBe(0o600);

    h = await startCognitoHarness({ dataDir });
    const jwksAfter = (await (await fetch(`${h.endpoint}/${userPoolId}/.well-known/jwks.json`)).json()) as Parameters<
      JwksCache['addJwks']
    >[1];
    expect(jwksAfter).toEqual(jwksBefore);

    // Tokens issued before the restart still verify and still work.
    const verifier = CognitoJwtVerifier.create({ userPoolId, clientId, tokenUse: 'access', groups: 'admin' });
    verifier.cacheJwks(jwksAfter);
    expect((await verifier.verify(before?.AccessToken ?? '')).username).toBe('wes');
    expect((await h.idp.send(new GetUserCommand({ AccessToken: before?.AccessToken }))).Username).toBe('wes');
    const refreshed = await refreshAuth({ idp: h.idp, clientId, refreshToken: before?.RefreshToken });
    expect(refreshed.AuthenticationResult?.AccessToken).toBeTruthy();

    // The user signs in again with the same password; groups and identity are unchanged.
    const after = (await signIn()).AuthenticationResult;
    expect(after?.AccessToken).toBeTruthy();
    expect(
      (await h.idp.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: 'wes' }))).Groups?.map((g) => g.GroupName),
    ).toEqual(['admin']);
    const again = await h.identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [provider]: after?.IdToken ?? '' } }));
    expect(again.IdentityId).toBe(IdentityId);
    expect(h.standIn.lookupCredentials(creds?.AccessKeyId ?? '')?.secretAccessKey).toBe(creds?.SecretKey);
  });
});
