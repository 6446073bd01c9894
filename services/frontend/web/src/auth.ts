/**
 * Sign-up and sign-in against the Cognito user pool, straight from the browser with the AWS SDK
 * (the same calls Amplify makes). Tokens live in sessionStorage: gone when the tab closes.
 */
import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RuntimeConfig } from './config.ts';

export interface Session {
  readonly email: string;
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken?: string;
  /** Epoch ms when the access token expires. */
  readonly expiresAt: number;
}

const storageKey = 'fleet.session';

export function createAuth(config: RuntimeConfig) {
  // SignUp, ConfirmSignUp and InitiateAuth are unsigned: no AWS credentials in the browser.
  const client = new CognitoIdentityProviderClient({
    region: config.region,
    ...(config.cognitoEndpoint ? { endpoint: config.cognitoEndpoint } : {}),
  });

  function save(session: Session | undefined): void {
    if (session) sessionStorage.setItem(storageKey, JSON.stringify(session));
    else sessionStorage.removeItem(storageKey);
  }

  return {
    current(): Session | undefined {
      const raw = sessionStorage.getItem(storageKey);
      return raw ? (JSON.parse(raw) as Session) : undefined;
    },
    async signUp(email: string, password: string): Promise<void> {
      await client.send(
        new SignUpCommand({
          ClientId: config.userPoolClientId,
          Username: email,
          Password: password,
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
    },
    async confirm(email: string, code: string): Promise<void> {
      await client.send(new ConfirmSignUpCommand({ ClientId: config.userPoolClientId, Username: email, ConfirmationCode: code }));
    },
    async signIn(email: string, password: string): Promise<Session> {
      const out = await client.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: config.userPoolClientId,
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      );
      const r = out.AuthenticationResult;
      if (!r?.AccessToken || !r.IdToken)
        throw new Error(`Sign-in needs a further step (${out.ChallengeName ?? 'unknown'}) that this app does not support`);
      const session: Session = {
        email,
        accessToken: r.AccessToken,
        idToken: r.IdToken,
        refreshToken: r.RefreshToken,
        expiresAt: Date.now() + (r.ExpiresIn ?? 3600) * 1000,
      };
      save(session);
      return session;
    },
    /** Returns a session whose access token is valid for at least a minute, refreshing it if needed. */
    async fresh(session: Session): Promise<Session> {
      if (session.expiresAt - Date.now() > 60_000 || !session.refreshToken) return session;
      const out = await client.send(
        new InitiateAuthCommand({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: config.userPoolClientId,
          AuthParameters: { REFRESH_TOKEN: session.refreshToken },
        }),
      );
      const r = out.AuthenticationResult;
      if (!r?.AccessToken || !r.IdToken) throw new Error('session expired, please sign in again');
      const next = { ...session, accessToken: r.AccessToken, idToken: r.IdToken, expiresAt: Date.now() + (r.ExpiresIn ?? 3600) * 1000 };
      save(next);
      return next;
    },
    signOut(): void {
      save(undefined);
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
