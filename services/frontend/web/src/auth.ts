/**
 * Sign-up and sign-in against the Cognito user pool, straight from the browser with the AWS SDK
 * (the same calls Amplify makes). Tokens live in sessionStorage: gone when the tab closes. An
 * invited user's first sign-in answers NEW_PASSWORD_REQUIRED: the user chooses a password.
 *
 * The SDK (a third of the app's JavaScript) is loaded on the first call that needs it, not with
 * the app shell: a signed-in user's first screen needs it only when the token is refreshed.
 */
import type * as CognitoSdk from '@aws-sdk/client-cognito-identity-provider';
import type { RuntimeConfig } from './config.ts';

export interface Session {
  readonly email: string;
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken?: string;
  /** Epoch ms when the access token expires. */
  readonly expiresAt: number;
}

/** An invited user signing in with the temporary password: a new password is due. */
export interface NewPasswordChallenge {
  readonly challenge: 'NEW_PASSWORD_REQUIRED';
  readonly email: string;
  /** The pool's username of the user (USER_ID_FOR_SRP: a uuid in pools that sign in by email). */
  readonly username: string;
  /** Cognito's session of the challenge. */
  readonly session: string;
}

const storageKey = 'fleet.session';

export function createAuth(config: RuntimeConfig) {
  // SignUp, ConfirmSignUp and InitiateAuth are unsigned: no AWS credentials in the browser.
  let loaded: Promise<{ client: CognitoSdk.CognitoIdentityProviderClient; sdk: typeof CognitoSdk }> | undefined;
  const cognito = () =>
    (loaded ??= import('@aws-sdk/client-cognito-identity-provider').then((sdk) => ({
      sdk,
      client: new sdk.CognitoIdentityProviderClient({
        region: config.region,
        ...(config.cognitoEndpoint ? { endpoint: config.cognitoEndpoint } : {}),
      }),
    })));

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
      const { client, sdk } = await cognito();
      await client.send(
        new sdk.SignUpCommand({
          ClientId: config.userPoolClientId,
          Username: email,
          Password: password,
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
    },
    async confirm(email: string, code: string): Promise<void> {
      const { client, sdk } = await cognito();
      await client.send(new sdk.ConfirmSignUpCommand({ ClientId: config.userPoolClientId, Username: email, ConfirmationCode: code }));
    },
    async signIn(email: string, password: string): Promise<Session | NewPasswordChallenge> {
      const { client, sdk } = await cognito();
      const out = await client.send(
        new sdk.InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: config.userPoolClientId,
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      );
      if (out.ChallengeName === 'NEW_PASSWORD_REQUIRED' && out.Session) {
        const username = out.ChallengeParameters?.['USER_ID_FOR_SRP'] ?? email;
        return { challenge: 'NEW_PASSWORD_REQUIRED', email, username, session: out.Session };
      }
      return started(email, out.AuthenticationResult, out.ChallengeName);
    },
    /** Answers NEW_PASSWORD_REQUIRED with the password the invited user chose. */
    async setNewPassword(challenge: NewPasswordChallenge, newPassword: string): Promise<Session> {
      const { client, sdk } = await cognito();
      const out = await client.send(
        new sdk.RespondToAuthChallengeCommand({
          ClientId: config.userPoolClientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: challenge.session,
          ChallengeResponses: { USERNAME: challenge.username, NEW_PASSWORD: newPassword },
        }),
      );
      return started(challenge.email, out.AuthenticationResult, out.ChallengeName);
    },
    /**
     * Returns a session whose access token is valid for at least a minute, refreshing it if needed;
     * `force` refreshes anyway (the user's role changed: the new tokens carry the new groups).
     */
    async fresh(session: Session, force = false): Promise<Session> {
      if (!session.refreshToken || (!force && session.expiresAt - Date.now() > 60_000)) return session;
      const { client, sdk } = await cognito();
      const out = await client.send(
        new sdk.InitiateAuthCommand({
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
    /** Starts loading the SDK while a person types into the sign-in or sign-up form. */
    preload(): void {
      cognito().catch(() => {
        // A failed load is tried again, and reported, by the call that needs it.
        loaded = undefined;
      });
    },
  };

  function started(email: string, r: CognitoSdk.AuthenticationResultType | undefined, challenge: string | undefined): Session {
    if (!r?.AccessToken || !r.IdToken)
      throw new Error(`Sign-in needs a further step (${challenge ?? 'unknown'}) that this app does not support`);
    const session: Session = {
      email,
      accessToken: r.AccessToken,
      idToken: r.IdToken,
      refreshToken: r.RefreshToken,
      expiresAt: Date.now() + (r.ExpiresIn ?? 3600) * 1000,
    };
    save(session);
    return session;
  }
}

export type Auth = ReturnType<typeof createAuth>;
