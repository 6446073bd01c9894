/**
 * Signing in and sessions: InitiateAuth (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH),
 * RespondToAuthChallenge (NEW_PASSWORD_REQUIRED), GetUser, GlobalSignOut, AdminUserGlobalSignOut.
 * Error codes and messages are Cognito's, so SDK callers catch the same exceptions as on AWS.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AwsError, type JsonOperation } from '../aws-endpoint/index.ts';
import type { CognitoContext } from './cognito-context.ts';
import type { StoredClient, StoredUser, StoredUserPool } from './cognito-state.ts';
import type { SignInSession } from './cognito-tokens.ts';
import { assertPasswordConforms, hashPassword, verifyPassword } from './password.ts';
import { newRefreshToken } from './random-ids.ts';
import { attributeListOf, findUser, getClientById, getPool, getUser } from './user-pool-model.ts';
import { optionalRecord, requiredString } from './wire-input.ts';
import { setOwn } from '../aws-endpoint/own-record.ts';

/** Cognito's challenge sessions last 3 minutes (the default AuthSessionValidity). */
const challengeSessionMs = 3 * 60 * 1000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function authOperations(ctx: CognitoContext): Record<string, JsonOperation> {
  // Challenge sessions live in memory only: they last minutes, a restart simply expires them.
  const challengeSessions = new Map<string, { poolId: string; clientId: string; username: string; expiresAt: number }>();

  function allows(client: StoredClient, flow: 'USER_PASSWORD_AUTH' | 'REFRESH_TOKEN_AUTH'): boolean {
    const flows = client.explicitAuthFlows;
    if (flow === 'REFRESH_TOKEN_AUTH') return flows.includes('ALLOW_REFRESH_TOKEN_AUTH') || !flows.some((f) => f.startsWith('ALLOW_'));
    return flows.includes('ALLOW_USER_PASSWORD_AUTH') || flows.includes('USER_PASSWORD_AUTH');
  }

  async function signIn(pool: StoredUserPool, client: StoredClient, user: StoredUser) {
    const session: SignInSession = { originJti: randomUUID(), authTime: Math.floor(ctx.now() / 1000) };
    const tokens = await ctx.tokens.issue(pool, client, user, session);
    const refreshToken = newRefreshToken();
    ctx.state.refreshTokens[hashToken(refreshToken)] = {
      poolId: pool.id,
      clientId: client.clientId,
      username: user.username,
      sub: user.sub,
      originJti: session.originJti,
      authTime: session.authTime,
      expiresAt: ctx.now() + client.refreshTokenSeconds * 1000,
    };
    await ctx.save();
    return {
      ChallengeParameters: {},
      AuthenticationResult: {
        AccessToken: tokens.accessToken,
        ExpiresIn: tokens.expiresIn,
        TokenType: 'Bearer',
        RefreshToken: refreshToken,
        IdToken: tokens.idToken,
      },
    };
  }

  async function passwordAuth(pool: StoredUserPool, client: StoredClient, parameters: Record<string, unknown>) {
    const username = typeof parameters.USERNAME === 'string' ? parameters.USERNAME : '';
    const password = typeof parameters.PASSWORD === 'string' ? parameters.PASSWORD : '';
    if (!username || !password) throw new AwsError('InvalidParameterException', 'Missing required parameter USERNAME or PASSWORD');
    const user = findUser(pool, username);
    if (!user) {
      // PreventUserExistenceErrors ENABLED hides whether the user exists.
      if (client.preventUserExistenceErrors === 'ENABLED') throw incorrectCredentials();
      throw new AwsError('UserNotFoundException', 'User does not exist.');
    }
    if (!(await verifyPassword(password, user.passwordHash))) throw incorrectCredentials();
    if (!user.enabled) throw new AwsError('NotAuthorizedException', 'User is disabled.');
    if (user.status === 'UNCONFIRMED') throw new AwsError('UserNotConfirmedException', 'User is not confirmed.');
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      if ((user.temporaryPasswordExpiresAt ?? Infinity) <= ctx.now()) {
        throw new AwsError('NotAuthorizedException', 'Temporary password has expired and must be reset by an administrator.');
      }
      const session = randomBytes(48).toString('base64url');
      challengeSessions.set(session, {
        poolId: pool.id,
        clientId: client.clientId,
        username: user.username,
        expiresAt: ctx.now() + challengeSessionMs,
      });
      const userAttributes = Object.fromEntries(
        Object.entries(user.attributes).filter(([name]) => name !== 'email_verified' && name !== 'phone_number_verified'),
      );
      return {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: session,
        ChallengeParameters: { USER_ID_FOR_SRP: user.username, requiredAttributes: '[]', userAttributes: JSON.stringify(userAttributes) },
      };
    }
    return signIn(pool, client, user);
  }

  async function refreshAuth(pool: StoredUserPool, client: StoredClient, parameters: Record<string, unknown>) {
    const token = typeof parameters.REFRESH_TOKEN === 'string' ? parameters.REFRESH_TOKEN : '';
    const stored = token ? ctx.state.refreshTokens[hashToken(token)] : undefined;
    if (!stored || stored.clientId !== client.clientId || stored.expiresAt <= ctx.now())
      throw new AwsError('NotAuthorizedException', 'Invalid Refresh Token');
    if (ctx.state.revokedOrigins[stored.originJti] !== undefined)
      throw new AwsError('NotAuthorizedException', 'Refresh Token has been revoked');
    const user = findUser(pool, stored.username);
    if (!user || user.sub !== stored.sub) throw new AwsError('NotAuthorizedException', 'User does not exist.');
    if (!user.enabled) throw new AwsError('NotAuthorizedException', 'User is disabled.');
    const tokens = await ctx.tokens.issue(pool, client, user, { originJti: stored.originJti, authTime: stored.authTime });
    // As Cognito (without refresh token rotation): no new refresh token in the answer.
    return {
      ChallengeParameters: {},
      AuthenticationResult: { AccessToken: tokens.accessToken, ExpiresIn: tokens.expiresIn, TokenType: 'Bearer', IdToken: tokens.idToken },
    };
  }

  /** The user behind a valid, unrevoked access token, or NotAuthorizedException as Cognito words it. */
  async function userOfAccessToken(accessToken: string): Promise<{ pool: StoredUserPool; user: StoredUser; originJti: string }> {
    const check = await ctx.tokens.verify(accessToken, { tokenUse: 'access' });
    if (!check.ok)
      throw new AwsError('NotAuthorizedException', check.reason === 'expired' ? 'Access Token has expired' : 'Invalid Access Token');
    const {
      iss,
      username,
      origin_jti: originJti,
      sub,
    } = check.payload as { iss?: string; username?: string; origin_jti?: string; sub?: string };
    const pool = Object.values(ctx.state.userPools).find((p) => ctx.tokens.issuerOf(p.id) === iss);
    if (!pool || typeof username !== 'string' || typeof originJti !== 'string')
      throw new AwsError('NotAuthorizedException', 'Invalid Access Token');
    if (ctx.state.revokedOrigins[originJti] !== undefined) throw new AwsError('NotAuthorizedException', 'Access Token has been revoked');
    const user = findUser(pool, username);
    if (!user || user.sub !== sub) throw new AwsError('UserNotFoundException', 'User does not exist.');
    return { pool, user, originJti };
  }

  /** Revokes every session of the user: their refresh tokens and the access tokens minted from them. */
  function signOutEverywhere(pool: StoredUserPool, user: StoredUser, extraOrigin?: string): void {
    // Remembered until no token of the session can still be valid: an access token lives at most a day.
    const accessTokensGone = ctx.now() + 24 * 3600 * 1000;
    for (const token of Object.values(ctx.state.refreshTokens)) {
      if (token.poolId === pool.id && token.sub === user.sub)
        ctx.state.revokedOrigins[token.originJti] = Math.max(token.expiresAt, accessTokensGone);
    }
    if (extraOrigin) ctx.state.revokedOrigins[extraOrigin] ??= accessTokensGone;
  }

  return {
    async InitiateAuth(input) {
      const flow = requiredString(input, 'AuthFlow');
      const { pool, client } = getClientById(ctx, requiredString(input, 'ClientId'));
      const parameters = optionalRecord(input, 'AuthParameters') ?? {};
      if (flow === 'USER_PASSWORD_AUTH') {
        if (!allows(client, flow)) throw new AwsError('InvalidParameterException', 'USER_PASSWORD_AUTH flow not enabled for this client');
        return passwordAuth(pool, client, parameters);
      }
      if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
        if (!allows(client, 'REFRESH_TOKEN_AUTH'))
          throw new AwsError('InvalidParameterException', 'REFRESH_TOKEN_AUTH flow not enabled for this client');
        return refreshAuth(pool, client, parameters);
      }
      throw new AwsError(
        'InvalidParameterException',
        `The local cloud supports AuthFlow USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH; received ${flow}`,
      );
    },

    async RespondToAuthChallenge(input) {
      const { pool, client } = getClientById(ctx, requiredString(input, 'ClientId'));
      const challenge = requiredString(input, 'ChallengeName');
      if (challenge !== 'NEW_PASSWORD_REQUIRED') {
        throw new AwsError(
          'InvalidParameterException',
          `The local cloud supports the NEW_PASSWORD_REQUIRED challenge; received ${challenge}`,
        );
      }
      const sessionId = requiredString(input, 'Session');
      const session = challengeSessions.get(sessionId);
      const responses = optionalRecord(input, 'ChallengeResponses') ?? {};
      if (!session || session.expiresAt <= ctx.now() || session.clientId !== client.clientId) {
        challengeSessions.delete(sessionId);
        throw new AwsError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
      }
      const user = getUser(pool, session.username);
      if (typeof responses.USERNAME === 'string' && findUser(pool, responses.USERNAME) !== user) {
        throw new AwsError('NotAuthorizedException', 'Invalid session for the user.');
      }
      const newPassword = typeof responses.NEW_PASSWORD === 'string' ? responses.NEW_PASSWORD : '';
      if (!newPassword) throw new AwsError('InvalidParameterException', 'Missing required parameter NEW_PASSWORD');
      assertPasswordConforms(newPassword, pool.passwordPolicy);
      user.passwordHash = await hashPassword(newPassword);
      // `userAttributes.<name>` responses set attributes the challenge asked for.
      for (const [key, value] of Object.entries(responses)) {
        if (key.startsWith('userAttributes.') && typeof value === 'string')
          setOwn(user.attributes, key.slice('userAttributes.'.length), value);
      }
      user.status = 'CONFIRMED';
      delete user.temporaryPasswordExpiresAt;
      user.updatedAt = ctx.now();
      challengeSessions.delete(sessionId);
      return signIn(pool, client, user);
    },

    async GetUser(input) {
      const { user } = await userOfAccessToken(requiredString(input, 'AccessToken'));
      return { Username: user.username, UserAttributes: attributeListOf(user) };
    },

    async GlobalSignOut(input) {
      const { pool, user, originJti } = await userOfAccessToken(requiredString(input, 'AccessToken'));
      signOutEverywhere(pool, user, originJti);
      await ctx.save();
      return {};
    },

    async AdminUserGlobalSignOut(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      signOutEverywhere(pool, getUser(pool, requiredString(input, 'Username')));
      await ctx.save();
      return {};
    },
  };
}

const incorrectCredentials = () => new AwsError('NotAuthorizedException', 'Incorrect username or password.');
