/**
 * Looking up pools, clients and users as Cognito does, with Cognito's error codes and messages,
 * and turning stored records into the wire shapes of the API reference (UserPoolType, UserType...).
 */
import { AwsError } from '../aws-endpoint/index.ts';
import { epochSeconds, type CognitoContext } from './cognito-context.ts';
import type { StoredClient, StoredUser, StoredUserPool } from './cognito-state.ts';
import { ownValue } from '../aws-endpoint/own-record.ts';

export function getPool(ctx: CognitoContext, poolId: string): StoredUserPool {
  const pool = ownValue(ctx.state.userPools, poolId);
  if (!pool) throw new AwsError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
  return pool;
}

/** InitiateAuth, SignUp... name only the client; the pool is the one that owns it. */
export function getClientById(ctx: CognitoContext, clientId: string): { pool: StoredUserPool; client: StoredClient } {
  for (const pool of Object.values(ctx.state.userPools)) {
    const client = ownValue(pool.clients, clientId);
    if (client) return { pool, client };
  }
  throw new AwsError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
}

export function usernameKey(pool: StoredUserPool, username: string): string {
  return pool.caseSensitive ? username : username.toLowerCase();
}

export const signsInWithEmail = (pool: StoredUserPool) => pool.usernameAttributes.includes('email');

/** What the user types to sign in: the email in an email-sign-in pool, else the username. */
export const signInName = (pool: StoredUserPool, user: StoredUser) =>
  signsInWithEmail(pool) ? (user.attributes.email ?? user.username) : user.username;

/** By username, or — in a pool where users sign in with their email — by email or sub. */
export function findUser(pool: StoredUserPool, name: string): StoredUser | undefined {
  const direct = ownValue(pool.users, usernameKey(pool, name));
  if (direct || !signsInWithEmail(pool)) return direct;
  const wanted = name.toLowerCase();
  return Object.values(pool.users).find((u) => u.attributes.email?.toLowerCase() === wanted || u.sub === name);
}

export function getUser(pool: StoredUserPool, name: string): StoredUser {
  const user = findUser(pool, name);
  if (!user) throw new AwsError('UserNotFoundException', 'User does not exist.');
  return user;
}

export function attributeListOf(user: StoredUser): { Name: string; Value: string }[] {
  return [{ Name: 'sub', Value: user.sub }, ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value }))];
}

/** UserType (ListUsers, AdminCreateUser, ListUsersInGroup). */
export function userType(user: StoredUser) {
  return {
    Username: user.username,
    Attributes: attributeListOf(user),
    UserCreateDate: epochSeconds(user.createdAt),
    UserLastModifiedDate: epochSeconds(user.updatedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

export function userPoolType(ctx: CognitoContext, pool: StoredUserPool) {
  return {
    Id: pool.id,
    Name: pool.name,
    Arn: `arn:aws:cognito-idp:${ctx.region}:${ctx.accountId}:userpool/${pool.id}`,
    Policies: { PasswordPolicy: pool.passwordPolicy },
    AutoVerifiedAttributes: pool.autoVerifiedAttributes,
    UsernameAttributes: pool.usernameAttributes.length > 0 ? pool.usernameAttributes : undefined,
    UsernameConfiguration: { CaseSensitive: pool.caseSensitive },
    MfaConfiguration: 'OFF',
    EstimatedNumberOfUsers: Object.keys(pool.users).length,
    CreationDate: epochSeconds(pool.createdAt),
    LastModifiedDate: epochSeconds(pool.updatedAt),
  };
}

export function userPoolClientType(pool: StoredUserPool, client: StoredClient) {
  return {
    ...client.wire,
    UserPoolId: pool.id,
    ClientName: client.name,
    ClientId: client.clientId,
    ExplicitAuthFlows: client.explicitAuthFlows,
    PreventUserExistenceErrors: client.preventUserExistenceErrors,
    CreationDate: epochSeconds(client.createdAt),
    LastModifiedDate: epochSeconds(client.createdAt),
  };
}
