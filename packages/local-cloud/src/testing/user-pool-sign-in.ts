/**
 * Signing in to a user pool, with a password (USER_PASSWORD_AUTH, as the web app does) or a refresh
 * token, for the Cognito tests here and in other workspaces: the one place that spells the SDK calls out.
 */
import {
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';

export interface PasswordSignIn {
  readonly idp: CognitoIdentityProviderClient;
  /** An app client of the pool that allows USER_PASSWORD_AUTH. */
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
}

/** The whole answer, so that a test can also check a challenge (NEW_PASSWORD_REQUIRED) or the refresh token. */
export function passwordAuth({ idp, clientId, username, password }: PasswordSignIn): Promise<InitiateAuthCommandOutput> {
  return idp.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
}

/** The access and ID tokens of a sign-in; '' for a token the answer lacks, so that the test's next check fails on it. */
export async function passwordSignInTokens(signIn: PasswordSignIn): Promise<{ access: string; id: string }> {
  const result = (await passwordAuth(signIn)).AuthenticationResult;
  return { access: result?.AccessToken ?? '', id: result?.IdToken ?? '' };
}

/** REFRESH_TOKEN_AUTH: new access and ID tokens for the session of `refreshToken` ('' asks with none, and fails). */
export function refreshAuth({
  idp,
  clientId,
  refreshToken,
}: {
  idp: CognitoIdentityProviderClient;
  clientId: string;
  refreshToken: string | undefined;
}): Promise<InitiateAuthCommandOutput> {
  return idp.send(
    new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken ?? '' } }),
  );
}
