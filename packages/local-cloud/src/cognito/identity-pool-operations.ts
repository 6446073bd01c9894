/**
 * Cognito identity pools: CreateIdentityPool, DescribeIdentityPool, ListIdentityPools,
 * DeleteIdentityPool, SetIdentityPoolRoles, GetIdentityPoolRoles, GetId and
 * GetCredentialsForIdentity (Amazon Cognito Federated Identities API reference). Only
 * authenticated identities from the local user pools: the browser trades its ID token for
 * short-lived credentials that the IoT broker checks on MQTT-over-WebSocket.
 */
import { randomUUID } from 'node:crypto';
import { AwsError, type JsonOperation } from '../aws-endpoint/index.ts';
import { epochSeconds, type CognitoContext } from './cognito-context.ts';
import type { StoredIdentityPool } from './cognito-state.ts';
import { newSecretAccessKey, newSessionToken, newTemporaryAccessKeyId } from './random-ids.ts';
import { optionalRecord, optionalString, paginate, requiredNumber, requiredString } from './wire-input.ts';
import { ownValue, setOwn } from '../aws-endpoint/own-record.ts';

/** GetCredentialsForIdentity credentials last one hour (the STS default Cognito uses). */
export const credentialLifetimeMs = 3600 * 1000;

type Provider = StoredIdentityPool['providers'][number];

export function identityPoolOperations(ctx: CognitoContext): Record<string, JsonOperation> {
  function getIdentityPool(id: string): StoredIdentityPool {
    const pool = ownValue(ctx.state.identityPools, id);
    if (!pool) throw new AwsError('ResourceNotFoundException', `IdentityPool '${id}' not found.`);
    return pool;
  }

  const identityPoolType = (pool: StoredIdentityPool) => ({
    IdentityPoolId: pool.id,
    IdentityPoolName: pool.name,
    AllowUnauthenticatedIdentities: pool.allowUnauthenticatedIdentities,
    CognitoIdentityProviders: pool.providers,
  });

  /**
   * Verifies every `Logins` entry as Cognito does for a user pool provider: a configured provider,
   * a valid unexpired ID token from that pool, for one of the configured app clients.
   * Returns `<providerName> <sub>` keys, the stable identity of each login.
   */
  async function verifyLogins(pool: StoredIdentityPool, logins: Record<string, unknown> | undefined): Promise<string[]> {
    const entries = Object.entries(logins ?? {});
    if (entries.length === 0) {
      throw new AwsError(
        'NotAuthorizedException',
        pool.allowUnauthenticatedIdentities
          ? 'The local cloud issues identities to signed-in users only; pass Logins with a user pool ID token'
          : 'Unauthenticated access is not supported for this identity pool.',
      );
    }
    const keys: string[] = [];
    for (const [providerName, token] of entries) {
      const providers = pool.providers.filter((p) => p.ProviderName === providerName);
      if (providers.length === 0)
        throw new AwsError('NotAuthorizedException', 'Invalid login token. Token is not from a supported provider of this identity pool.');
      if (typeof token !== 'string') throw invalidToken();
      const check = await ctx.tokens.verify(token, { issuer: `https://${providerName}`, tokenUse: 'id' });
      if (!check.ok) {
        if (check.reason === 'expired') throw new AwsError('NotAuthorizedException', 'Invalid login token. Token expired.');
        throw invalidToken();
      }
      const { aud, sub, origin_jti: originJti } = check.payload as { aud?: unknown; sub?: unknown; origin_jti?: unknown };
      const provider: Provider | undefined = providers.find((p) => p.ClientId === aud);
      if (!provider) throw new AwsError('NotAuthorizedException', 'Invalid login token. Incorrect token audience.');
      if (typeof sub !== 'string') throw invalidToken();
      // ServerSideTokenCheck: Cognito asks the user pool whether the user signed out.
      if (provider.ServerSideTokenCheck && typeof originJti === 'string' && ctx.state.revokedOrigins[originJti] !== undefined) {
        throw new AwsError('NotAuthorizedException', 'Invalid login token. Token has been revoked.');
      }
      keys.push(`${providerName} ${sub}`);
    }
    return keys;
  }

  function findIdentity(identityId: string): StoredIdentityPool {
    const pool = Object.values(ctx.state.identityPools).find((p) => ownValue(p.identities, identityId));
    if (!pool) throw new AwsError('ResourceNotFoundException', `Identity '${identityId}' not found.`);
    return pool;
  }

  return {
    async CreateIdentityPool(input) {
      const name = requiredString(input, 'IdentityPoolName');
      if (typeof input.AllowUnauthenticatedIdentities !== 'boolean') {
        throw new AwsError(
          'InvalidParameterException',
          "1 validation error detected: Value at 'allowUnauthenticatedIdentities' failed to satisfy constraint: Member must not be null",
        );
      }
      const providers = parseProviders(input.CognitoIdentityProviders);
      const pool: StoredIdentityPool = {
        id: `${ctx.region}:${randomUUID()}`,
        name,
        allowUnauthenticatedIdentities: input.AllowUnauthenticatedIdentities,
        providers,
        createdAt: ctx.now(),
        roles: {},
        identityByLogin: {},
        identities: {},
      };
      ctx.state.identityPools[pool.id] = pool;
      await ctx.save();
      ctx.log.info({ identityPoolId: pool.id, name }, 'identity pool created');
      return identityPoolType(pool);
    },

    async DescribeIdentityPool(input) {
      return identityPoolType(getIdentityPool(requiredString(input, 'IdentityPoolId')));
    },

    async ListIdentityPools(input) {
      const maxResults = requiredNumber(input, 'MaxResults');
      const pools = Object.values(ctx.state.identityPools).sort((a, b) => a.createdAt - b.createdAt);
      const { page, next } = paginate(pools, maxResults, optionalString(input, 'NextToken'));
      return { IdentityPools: page.map((p) => ({ IdentityPoolId: p.id, IdentityPoolName: p.name })), NextToken: next };
    },

    async DeleteIdentityPool(input) {
      const pool = getIdentityPool(requiredString(input, 'IdentityPoolId'));
      delete ctx.state.identityPools[pool.id];
      for (const [key, creds] of Object.entries(ctx.state.credentials))
        if (ownValue(pool.identities, creds.identityId)) delete ctx.state.credentials[key];
      await ctx.save();
      return {};
    },

    async SetIdentityPoolRoles(input) {
      const pool = getIdentityPool(requiredString(input, 'IdentityPoolId'));
      const roles = optionalRecord(input, 'Roles') ?? {};
      pool.roles = Object.fromEntries(Object.entries(roles).filter((e): e is [string, string] => typeof e[1] === 'string'));
      await ctx.save();
      return {};
    },

    async GetIdentityPoolRoles(input) {
      const pool = getIdentityPool(requiredString(input, 'IdentityPoolId'));
      return { IdentityPoolId: pool.id, Roles: pool.roles };
    },

    async GetId(input) {
      const pool = getIdentityPool(requiredString(input, 'IdentityPoolId'));
      const keys = await verifyLogins(pool, optionalRecord(input, 'Logins'));
      const existing = keys.map((k) => ownValue(pool.identityByLogin, k)).find((id) => id !== undefined);
      if (existing) return { IdentityId: existing };
      const identityId = `${ctx.region}:${randomUUID()}`;
      const logins: Record<string, string> = {};
      for (const key of keys) {
        const [provider = '', sub = ''] = key.split(' ');
        logins[provider] = sub;
        setOwn(pool.identityByLogin, key, identityId);
      }
      setOwn(pool.identities, identityId, { logins, createdAt: ctx.now() });
      await ctx.save();
      return { IdentityId: identityId };
    },

    async GetCredentialsForIdentity(input) {
      const identityId = requiredString(input, 'IdentityId');
      const pool = findIdentity(identityId);
      const logins = optionalRecord(input, 'Logins');
      if (!logins || Object.keys(logins).length === 0) {
        throw new AwsError(
          'NotAuthorizedException',
          "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        );
      }
      const keys = await verifyLogins(pool, logins);
      if (!keys.every((k) => ownValue(pool.identityByLogin, k) === identityId)) {
        throw new AwsError(
          'NotAuthorizedException',
          "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        );
      }
      const accessKeyId = newTemporaryAccessKeyId();
      const issued = {
        secretAccessKey: newSecretAccessKey(),
        sessionToken: newSessionToken(),
        identityId,
        expiresAt: ctx.now() + credentialLifetimeMs,
      };
      ctx.state.credentials[accessKeyId] = issued;
      await ctx.save();
      return {
        IdentityId: identityId,
        Credentials: {
          AccessKeyId: accessKeyId,
          SecretKey: issued.secretAccessKey,
          SessionToken: issued.sessionToken,
          Expiration: epochSeconds(issued.expiresAt),
        },
      };
    },
  };
}

function parseProviders(raw: unknown): Provider[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new AwsError('InvalidParameterException', 'CognitoIdentityProviders must be a list');
  return raw.map((p: { ProviderName?: unknown; ClientId?: unknown; ServerSideTokenCheck?: unknown }) => {
    if (typeof p?.ProviderName !== 'string' || typeof p.ClientId !== 'string') {
      throw new AwsError('InvalidParameterException', 'Each CognitoIdentityProviders entry needs ProviderName and ClientId');
    }
    if (!/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/[\w-]+_[A-Za-z0-9]+$/.test(p.ProviderName)) {
      throw new AwsError(
        'InvalidParameterException',
        `Invalid provider name ${p.ProviderName}; expected cognito-idp.<region>.amazonaws.com/<userPoolId>`,
      );
    }
    return {
      ProviderName: p.ProviderName,
      ClientId: p.ClientId,
      ...(p.ServerSideTokenCheck === true ? { ServerSideTokenCheck: true } : {}),
    };
  });
}

const invalidToken = () => new AwsError('NotAuthorizedException', 'Invalid login token. Not a valid OpenId Connect identity token.');
