/**
 * User administration (admin only): users of the pool with their groups, invitations and role
 * changes. A role is membership of exactly one of the role groups (see `userPoolGroups` in core).
 * An invitation is Cognito's AdminCreateUser: Cognito mails the temporary password (the local
 * cloud writes it to its data folder and log), and the user sets a password at first sign-in.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminRemoveUserFromGroupCommand,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  bodyLimits,
  deviceAccessOf,
  effectiveRole,
  errorResponses,
  InvitedUserSchema,
  isRole,
  maxUsersPerPage,
  RoleChangeSchema,
  RoleSchema,
  UserPageSchema,
  type PoolUser,
} from '@fleet/core';
import { Type } from 'typebox';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import type { ApiClients } from '../aws-clients.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, paramErrors, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { UserLivePolicy } from '../users/user-live-policy.ts';
import type { TypedApp } from '../http/typed-app.ts';
import { poolGroupsOf } from '../users/pool-groups.ts';

export interface UserRoutesDeps {
  readonly authorizer: Authorizer;
  readonly cognito: ApiClients['cognito'];
  readonly userPoolId: string;
  /** Rewrites a user's browser IoT policy when a role change makes them an admin or no longer one. */
  readonly livePolicy: UserLivePolicy;
}

/** Cognito's limits on a username (AdminGetUser, Username: 1–128 characters). */
export const Username = Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+$' });

/** RFC 5321 limits an address to 254 characters; the pattern is the shape HTML forms accept. */
const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$', examples: ['ada@example.com'] });

const InviteBody = StrictObject({
  email: Email,
  role: RoleSchema,
});

/** The API's view of a pool user. */
function userOf(u: UserType, groups: string[]): PoolUser {
  const attr = (name: string) => u.Attributes?.find((a) => a.Name === name)?.Value;
  const sub = attr('sub');
  const email = attr('email');
  return {
    username: u.Username ?? '',
    ...(sub ? { sub } : {}),
    ...(email ? { email } : {}),
    enabled: u.Enabled ?? true,
    ...(u.UserStatus ? { status: u.UserStatus } : {}),
    ...(u.UserCreateDate ? { createdAt: u.UserCreateDate.toISOString() } : {}),
    groups,
    role: effectiveRole(groups),
    deviceAccess: deviceAccessOf(groups),
  };
}

/** Concurrent AdminListGroupsForUser calls per page (Cognito throttles per account). */
const groupConcurrency = 5;

export function registerUserRoutes(app: TypedApp, deps: UserRoutesDeps): void {
  const { cognito, userPoolId } = deps;

  const groupsOf = (username: string) => poolGroupsOf(cognito, userPoolId, username);

  app.get(
    '/api/users',
    {
      onRequest: deps.authorizer.require('manageUsers'),
      schema: {
        tags: ['users'],
        summary: 'Users of the pool with their groups, role and device access',
        security: bearer,
        querystring: StrictObject({
          limit: Type.Integer({ minimum: 1, maximum: maxUsersPerPage, default: maxUsersPerPage }),
          cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
        }),
        response: { 200: UserPageSchema, ...errorResponses(...permissionErrors, 'ValidationError') },
      },
    },
    async (request) => {
      let out;
      try {
        out = await cognito.send(
          new ListUsersCommand({
            UserPoolId: userPoolId,
            Limit: request.query.limit,
            ...(request.query.cursor ? { PaginationToken: request.query.cursor } : {}),
          }),
        );
      } catch (err) {
        if ((err as { name?: string }).name === 'InvalidParameterException' && request.query.cursor) {
          throw apiError('ValidationError', 'querystring/cursor is not one this API returned');
        }
        throw err;
      }
      const listed = out.Users ?? [];
      const users = new Array<PoolUser>(listed.length);
      for (let i = 0; i < listed.length; i += groupConcurrency) {
        await Promise.all(
          listed.slice(i, i + groupConcurrency).map(async (u, j) => {
            users[i + j] = userOf(u, await groupsOf(u.Username ?? ''));
          }),
        );
      }
      return { users, ...(out.PaginationToken ? { nextCursor: out.PaginationToken } : {}) };
    },
  );

  app.post(
    '/api/users',
    {
      onRequest: deps.authorizer.require('manageUsers'),
      schema: {
        tags: ['users'],
        summary: 'Invite a user by email with a role: Cognito mails a temporary password, to be changed at first sign-in',
        description: bodyLimitNote(bodyLimits.api),
        security: bearer,
        body: InviteBody,
        response: { 201: InvitedUserSchema, ...errorResponses(...permissionErrors, ...bodyErrors, 'UserExists') },
      },
    },
    async (request, reply) => {
      const { email, role } = request.body;
      let created: UserType | undefined;
      try {
        // The pool signs in by email: the email is the Username given, Cognito makes the username a uuid.
        const out = await cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            Username: email,
            UserAttributes: [
              { Name: 'email', Value: email },
              // The invitation reaches the address, which proves it (Cognito's own advice for invitations).
              { Name: 'email_verified', Value: 'true' },
            ],
            DesiredDeliveryMediums: ['EMAIL'],
          }),
        );
        created = out.User;
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name === 'UsernameExistsException')
          throw apiError('UserExists', `A user with the email ${JSON.stringify(email)} already exists`);
        if (name === 'InvalidParameterException')
          throw apiError('ValidationError', `body/email is refused by the user pool: ${(err as Error).message}`);
        throw err;
      }
      if (!created?.Username) throw new Error('AdminCreateUser answered without a user');
      await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: created.Username, GroupName: role }));
      request.log.info({ username: created.Username, role, by: authOf(request).username }, 'user invited');
      return reply.code(201).send({ user: userOf(created, [role]) });
    },
  );

  app.put(
    '/api/users/:username/role',
    {
      onRequest: deps.authorizer.require('manageUsers'),
      schema: {
        tags: ['users'],
        summary: "Set a user's role (membership of exactly one role group)",
        security: bearer,
        description: `${bodyLimitNote(bodyLimits.api)} Admins cannot change their own role: the last admin could lock everyone out.`,
        params: StrictObject({ username: Username }),
        body: StrictObject({ role: RoleSchema }),
        response: {
          200: RoleChangeSchema,
          ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'UserNotFound', 'RoleChangeRefused'),
        },
      },
    },
    async (request) => {
      const { username } = request.params;
      const { role } = request.body;
      if (username === authOf(request).username) {
        throw apiError('RoleChangeRefused', 'Admins cannot change their own role; ask another admin');
      }
      let current: string[];
      try {
        current = await groupsOf(username);
      } catch (err) {
        if ((err as { name?: string }).name === 'UserNotFoundException')
          throw apiError('UserNotFound', `User "${username}" does not exist`);
        throw err;
      }
      // Add before removing: a failure half-way leaves the user with more rights, never locked out.
      if (!current.includes(role)) {
        await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: role }));
      }
      for (const other of current.filter((g) => g !== role && isRole(g))) {
        await cognito.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: other }));
      }
      const groups = [...current.filter((g) => !isRole(g)), role];
      // To or from admin changes which devices the user sees (admins see every one).
      const isAdmin = (g: readonly string[]) => effectiveRole(g) === 'admin';
      if (isAdmin(groups) !== isAdmin(current)) await deps.livePolicy.sync(username, groups);
      request.log.info({ username, role, by: authOf(request).username }, 'role changed');
      return { username, role, groups };
    },
  );
}
