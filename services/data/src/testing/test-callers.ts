/**
 * Callers for the Data Service's tests: a user pool key pair (as `@fleet/core/tokens/testing`
 * makes it), the verifier that trusts it, and `Authorization` headers of users in given groups.
 */
import { createTokenVerifier, type TokenVerifier } from '@fleet/core/tokens';
import { createTestTokens, type TestTokens } from '@fleet/core/tokens/testing';

export interface TestCallers {
  readonly verifier: TokenVerifier;
  readonly tokens: TestTokens;
  /** Headers of a signed-in user in `groups` (a viewer by default). */
  headers(groups?: string[]): Promise<{ authorization: string }>;
}

export async function createTestCallers(): Promise<TestCallers> {
  const pool = { userPoolId: 'us-east-1_DataTests1', clientId: 'data-tests-client' };
  const tokens = await createTestTokens(pool);
  const verifier = createTokenVerifier({ ...pool, loadJwks: async () => tokens.jwks, logger: { debug: () => {} } });
  return {
    verifier,
    tokens,
    headers: async (groups = ['viewer']) => ({ authorization: `Bearer ${await tokens.accessToken({ groups })}` }),
  };
}
