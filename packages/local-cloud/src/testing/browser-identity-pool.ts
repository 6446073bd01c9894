/**
 * The identity pool the Cognito tests need: the browsers' one, which trusts ID tokens of one user
 * pool's app client and gives no identity to a guest (as Fleet's pool does).
 */
import { CreateIdentityPoolCommand, type CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';

/** The provider name the pool trusts, also the key of `Logins` in GetId and GetCredentialsForIdentity. */
export const userPoolProvider = (userPoolId: string) => `cognito-idp.us-east-1.amazonaws.com/${userPoolId}`;

/** Resolves with the pool's id ('' if the answer lacks one, so that the test's next call fails on it). */
export async function createBrowserIdentityPool(
  identity: CognitoIdentityClient,
  userPool: { userPoolId: string; clientId: string },
): Promise<string> {
  const created = await identity.send(
    new CreateIdentityPoolCommand({
      IdentityPoolName: 'browsers',
      AllowUnauthenticatedIdentities: false,
      CognitoIdentityProviders: [{ ProviderName: userPoolProvider(userPool.userPoolId), ClientId: userPool.clientId }],
    }),
  );
  return created.IdentityPoolId ?? '';
}
