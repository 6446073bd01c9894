/**
 * User pools and app clients: CreateUserPool, DescribeUserPool, ListUserPools, DeleteUserPool,
 * CreateUserPoolClient, DescribeUserPoolClient, ListUserPoolClients (Amazon Cognito user pools API reference).
 */
import { tokenValidity } from '@fleet/core';
import { AwsError, type JsonOperation } from '../aws-endpoint/index.ts';
import { epochSeconds, type CognitoContext } from './cognito-context.ts';
import type { StoredClient, StoredPasswordPolicy } from './cognito-state.ts';
import { defaultPasswordPolicy } from './password.ts';
import { newClientId, newUserPoolId } from './random-ids.ts';
import { getPool, userPoolClientType, userPoolType } from './user-pool-model.ts';
import {
  optionalNumber,
  optionalRecord,
  optionalString,
  optionalStringList,
  paginate,
  requiredNumber,
  requiredString,
} from './wire-input.ts';
import { ownValue } from '../aws-endpoint/own-record.ts';

/** Auth flows a client gets when CreateUserPoolClient names none (Cognito's documented default). */
const defaultAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'];
const knownAuthFlows = new Set([
  'ADMIN_NO_SRP_AUTH',
  'CUSTOM_AUTH_FLOW_ONLY',
  'USER_PASSWORD_AUTH',
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
  'ALLOW_USER_AUTH',
]);
const unitSeconds: Readonly<Record<string, number>> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

export function userPoolOperations(ctx: CognitoContext): Record<string, JsonOperation> {
  return {
    async CreateUserPool(input) {
      const name = requiredString(input, 'PoolName');
      const policies = optionalRecord(input, 'Policies');
      const usernameConfiguration = optionalRecord(input, 'UsernameConfiguration');
      const now = ctx.now();
      const pool = {
        id: newUserPoolId(ctx.region),
        name,
        createdAt: now,
        updatedAt: now,
        passwordPolicy: passwordPolicyFrom(policies?.PasswordPolicy),
        autoVerifiedAttributes: optionalStringList(input, 'AutoVerifiedAttributes') ?? [],
        usernameAttributes: optionalStringList(input, 'UsernameAttributes') ?? [],
        // The API's default is case-sensitive usernames; CDK and the console send CaseSensitive: false.
        caseSensitive: usernameConfiguration?.CaseSensitive !== false,
        clients: {},
        users: {},
        groups: {},
      };
      ctx.state.userPools[pool.id] = pool;
      await ctx.save();
      ctx.log.info({ userPoolId: pool.id, name }, 'user pool created');
      return { UserPool: userPoolType(ctx, pool) };
    },

    async DescribeUserPool(input) {
      return { UserPool: userPoolType(ctx, getPool(ctx, requiredString(input, 'UserPoolId'))) };
    },

    async ListUserPools(input) {
      const maxResults = requiredNumber(input, 'MaxResults');
      const pools = Object.values(ctx.state.userPools).sort((a, b) => a.createdAt - b.createdAt);
      const { page, next } = paginate(pools, maxResults, optionalString(input, 'NextToken'));
      return {
        UserPools: page.map((p) => ({
          Id: p.id,
          Name: p.name,
          CreationDate: epochSeconds(p.createdAt),
          LastModifiedDate: epochSeconds(p.updatedAt),
        })),
        NextToken: next,
      };
    },

    async DeleteUserPool(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      delete ctx.state.userPools[pool.id];
      for (const [hash, token] of Object.entries(ctx.state.refreshTokens))
        if (token.poolId === pool.id) delete ctx.state.refreshTokens[hash];
      await ctx.save();
      return {};
    },

    async CreateUserPoolClient(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const name = requiredString(input, 'ClientName');
      if (input.GenerateSecret === true) {
        throw new AwsError(
          'InvalidParameterException',
          'The local cloud does not support app clients with a secret (GenerateSecret: true); browser clients have none',
        );
      }
      const flows = optionalStringList(input, 'ExplicitAuthFlows') ?? defaultAuthFlows;
      const unknown = flows.filter((f) => !knownAuthFlows.has(f));
      if (unknown.length > 0)
        throw new AwsError(
          'InvalidParameterException',
          `Unknown ExplicitAuthFlows ${unknown.join(', ')}; expected ${[...knownAuthFlows].join(', ')}`,
        );
      const units = (optionalRecord(input, 'TokenValidityUnits') ?? {}) as Record<string, string | undefined>;
      const lifetime = (value: string, unitKey: string, fallbackUnit: string, fallback: number) => {
        const amount = optionalNumber(input, value);
        return amount === undefined ? fallback : amount * (unitSeconds[units[unitKey] ?? fallbackUnit] ?? 1);
      };
      const client: StoredClient = {
        clientId: newClientId(),
        name,
        createdAt: ctx.now(),
        explicitAuthFlows: flows,
        preventUserExistenceErrors: optionalString(input, 'PreventUserExistenceErrors') === 'ENABLED' ? 'ENABLED' : 'LEGACY',
        accessTokenSeconds: lifetime('AccessTokenValidity', 'AccessToken', 'hours', tokenValidity.accessTokenMinutes * 60),
        idTokenSeconds: lifetime('IdTokenValidity', 'IdToken', 'hours', tokenValidity.idTokenMinutes * 60),
        refreshTokenSeconds: lifetime('RefreshTokenValidity', 'RefreshToken', 'days', tokenValidity.refreshTokenDays * 86_400),
        wire: pick(input, [
          'AccessTokenValidity',
          'IdTokenValidity',
          'RefreshTokenValidity',
          'TokenValidityUnits',
          'CallbackURLs',
          'LogoutURLs',
          'AllowedOAuthFlows',
          'AllowedOAuthScopes',
          'SupportedIdentityProviders',
          'EnableTokenRevocation',
        ]),
      };
      pool.clients[client.clientId] = client;
      pool.updatedAt = ctx.now();
      await ctx.save();
      return { UserPoolClient: userPoolClientType(pool, client) };
    },

    async DescribeUserPoolClient(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const clientId = requiredString(input, 'ClientId');
      const client = ownValue(pool.clients, clientId);
      if (!client) throw new AwsError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
      return { UserPoolClient: userPoolClientType(pool, client) };
    },

    async ListUserPoolClients(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const clients = Object.values(pool.clients).sort((a, b) => a.createdAt - b.createdAt);
      const { page, next } = paginate(clients, optionalNumber(input, 'MaxResults'), optionalString(input, 'NextToken'));
      return { UserPoolClients: page.map((c) => ({ ClientId: c.clientId, UserPoolId: pool.id, ClientName: c.name })), NextToken: next };
    },
  };
}

function passwordPolicyFrom(raw: unknown): StoredPasswordPolicy {
  if (raw === undefined || raw === null) return defaultPasswordPolicy;
  if (typeof raw !== 'object') throw new AwsError('InvalidParameterException', 'Policies.PasswordPolicy must be an object');
  const p = raw as Record<string, unknown>;
  const flag = (name: keyof StoredPasswordPolicy) => (typeof p[name] === 'boolean' ? p[name] : false);
  const minimumLength = typeof p.MinimumLength === 'number' ? p.MinimumLength : defaultPasswordPolicy.MinimumLength;
  if (minimumLength < 6 || minimumLength > 99) {
    throw new AwsError('InvalidParameterException', `PasswordPolicy.MinimumLength is ${minimumLength}; expected 6 to 99`);
  }
  return {
    MinimumLength: minimumLength,
    RequireUppercase: flag('RequireUppercase'),
    RequireLowercase: flag('RequireLowercase'),
    RequireNumbers: flag('RequireNumbers'),
    RequireSymbols: flag('RequireSymbols'),
    TemporaryPasswordValidityDays:
      typeof p.TemporaryPasswordValidityDays === 'number'
        ? p.TemporaryPasswordValidityDays
        : defaultPasswordPolicy.TemporaryPasswordValidityDays,
  };
}

function pick(input: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => input[n] !== undefined).map((n) => [n, input[n]]));
}
