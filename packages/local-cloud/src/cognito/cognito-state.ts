/**
 * What the Cognito stand-in persists (one JSON document, see json-file-store.ts). Times are epoch
 * milliseconds. Secrets never appear in clear: passwords are scrypt hashes, refresh tokens are kept
 * by their SHA-256. Issued identity-pool credentials are kept in clear because the IoT broker must
 * recompute SigV4 signatures with them, exactly as AWS STS must.
 */

export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD';

export interface StoredPasswordPolicy {
  readonly MinimumLength: number;
  readonly RequireUppercase: boolean;
  readonly RequireLowercase: boolean;
  readonly RequireNumbers: boolean;
  readonly RequireSymbols: boolean;
  readonly TemporaryPasswordValidityDays: number;
}

export interface StoredUserPool {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  updatedAt: number;
  readonly passwordPolicy: StoredPasswordPolicy;
  readonly autoVerifiedAttributes: string[];
  /** `['email']` when users sign in with their email address (the username is then the sub). */
  readonly usernameAttributes: string[];
  /** Cognito's `UsernameConfiguration.CaseSensitive`; false folds usernames to lower case. */
  readonly caseSensitive: boolean;
  readonly clients: Record<string, StoredClient>;
  /** By normalised username. */
  readonly users: Record<string, StoredUser>;
  readonly groups: Record<string, StoredGroup>;
}

export interface StoredClient {
  readonly clientId: string;
  readonly name: string;
  readonly createdAt: number;
  readonly explicitAuthFlows: string[];
  readonly preventUserExistenceErrors: 'ENABLED' | 'LEGACY';
  /** Lifetimes in seconds. */
  readonly accessTokenSeconds: number;
  readonly idTokenSeconds: number;
  readonly refreshTokenSeconds: number;
  /** Echoed back as given (Cognito returns the configured values and units). */
  readonly wire: Record<string, unknown>;
}

export interface StoredUser {
  readonly username: string;
  readonly sub: string;
  /** Every attribute but `sub`, e.g. email, email_verified ("true"/"false"), name. */
  readonly attributes: Record<string, string>;
  passwordHash: string;
  status: UserStatus;
  enabled: boolean;
  readonly createdAt: number;
  updatedAt: number;
  /** Groups by name. */
  groups: string[];
  /** Sign-up confirmation code, sent by mail on AWS; logged and written to confirmation-codes.json locally. */
  confirmation?: { code: string; expiresAt: number };
  /** When a FORCE_CHANGE_PASSWORD user's temporary password stops working. */
  temporaryPasswordExpiresAt?: number;
}

export interface StoredGroup {
  readonly name: string;
  description?: string;
  precedence?: number;
  roleArn?: string;
  readonly createdAt: number;
  updatedAt: number;
}

export interface StoredRefreshToken {
  readonly poolId: string;
  readonly clientId: string;
  readonly username: string;
  readonly sub: string;
  /** The sign-in this token belongs to; access tokens carry it as `origin_jti`. */
  readonly originJti: string;
  readonly authTime: number;
  readonly expiresAt: number;
}

export interface StoredIdentityPool {
  readonly id: string;
  readonly name: string;
  readonly allowUnauthenticatedIdentities: boolean;
  readonly providers: { ProviderName: string; ClientId: string; ServerSideTokenCheck?: boolean }[];
  readonly createdAt: number;
  /** SetIdentityPoolRoles: `authenticated` / `unauthenticated` → role ARN. Stored, not enforced locally. */
  roles: Record<string, string>;
  /** identity id by `<providerName> <sub>`: one stable identity per user. */
  readonly identityByLogin: Record<string, string>;
  readonly identities: Record<string, { readonly logins: Record<string, string>; readonly createdAt: number }>;
}

export interface IssuedCredentials {
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly identityId: string;
  readonly expiresAt: number;
}

export interface CognitoState {
  readonly version: 1;
  readonly userPools: Record<string, StoredUserPool>;
  readonly identityPools: Record<string, StoredIdentityPool>;
  /** By SHA-256 (hex) of the token. */
  readonly refreshTokens: Record<string, StoredRefreshToken>;
  /** origin_jti of signed-out sessions → when their last token expires (then forgotten). */
  readonly revokedOrigins: Record<string, number>;
  /** By access key id. */
  readonly credentials: Record<string, IssuedCredentials>;
}

export const emptyCognitoState = (): CognitoState => ({
  version: 1,
  userPools: {},
  identityPools: {},
  refreshTokens: {},
  revokedOrigins: {},
  credentials: {},
});

/** Drops records nobody can use any more, so the file does not grow forever. */
/** How long expired identity-pool credentials stay known (answered as expired, not unknown). */
export const expiredCredentialsKeptMs = 24 * 3600 * 1000;

export function pruneExpired(state: CognitoState, now: number): void {
  for (const [hash, token] of Object.entries(state.refreshTokens)) if (token.expiresAt <= now) delete state.refreshTokens[hash];
  for (const [jti, until] of Object.entries(state.revokedOrigins)) if (until <= now) delete state.revokedOrigins[jti];
  // Expired identity credentials are kept a day so that a request signed with them answers
  // ExpiredTokenException, as AWS does, rather than an unknown key.
  for (const [key, creds] of Object.entries(state.credentials)) {
    if (creds.expiresAt + expiredCredentialsKeptMs <= now) delete state.credentials[key];
  }
}
