/**
 * User administration (admin only): users of the pool with their groups, and role changes. A
 * role is membership of exactly one of the role groups (see `userPoolGroups` in core).
 */
import {
  AdminAddUserToGroupCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { effectiveRole, roles, type Role } from '@fleet/core';
import { Type } from 'typebox';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import type { ApiClients } from '../aws-clients.ts';
import { apiError } from '../errors.ts';
import { bearer, errorResponses, RoleSchema } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';

export interface UserRoutesDeps {
  readonly authorizer: Authorizer;
  readonly cognito: ApiClients['cognito'];
  readonly userPoolId: string;
  readonly defaultRole: Role;
}

const User = Type.Object({
  username: Type.String(),
  sub: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  enabled: Type.Boolean(),
  status: Type.Optional(Type.String({ description: 'Cognito UserStatus, e.g. CONFIRMED' })),
  createdAt: Type.Optional(Type.String({ format: 'date-time' })),
  groups: Type.Array(Type.String()),
  role: RoleSchema,
});

const Username = Type.String({ minLength: 1, maxLength: 128 });

/** Concurrent AdminListGroupsForUser calls per page (Cognito throttles per account). */
const groupConcurrency = 5;

export function registerUserRoutes(app: TypedApp, deps: UserRoutesDeps): void {
  const { cognito, userPoolId } = deps;

  async function groupsOf(username: string): Promise<string[]> {
    const groups: string[] = [];
    let NextToken: string | undefined;
    do {
      const out = await cognito.send(
        new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: username, ...(NextToken ? { NextToken } : {}) }),
      );
      for (const g of out.Groups ?? []) if (g.GroupName) groups.push(g.GroupName);
      NextToken = out.NextToken;
    } while (NextToken);
    return groups;
  }

  app.get(
    '/api/users',
    {
      onRequest: deps.authorizer.require('manageUsers'),
      schema: {
        tags: ['users'],
        summary: 'Users of the pool with their groups and role',
        security: bearer,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 60, default: 60 }),
          cursor: Type.Optional(Type.String({ minLength: 1 })),
        }),
        response: {
          200: Type.Object({ users: Type.Array(User), nextCursor: Type.Optional(Type.String()) }),
          ...errorResponses(400, 401, 403),
        },
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
      const users = new Array<Record<string, unknown>>(listed.length);
      for (let i = 0; i < listed.length; i += groupConcurrency) {
        await Promise.all(
          listed.slice(i, i + groupConcurrency).map(async (u, j) => {
            const username = u.Username ?? '';
            const groups = await groupsOf(username);
            const attr = (name: string) => u.Attributes?.find((a) => a.Name === name)?.Value;
            const sub = attr('sub');
            const email = attr('email');
            users[i + j] = {
              username,
              ...(sub ? { sub } : {}),
              ...(email ? { email } : {}),
              enabled: u.Enabled ?? true,
              ...(u.UserStatus ? { status: u.UserStatus } : {}),
              ...(u.UserCreateDate ? { createdAt: u.UserCreateDate.toISOString() } : {}),
              groups,
              role: effectiveRole(groups, deps.defaultRole),
            };
          }),
        );
      }
      return { users: users as never[], ...(out.PaginationToken ? { nextCursor: out.PaginationToken } : {}) };
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
        params: Type.Object({ username: Username }),
        body: Type.Object({ role: RoleSchema }, { additionalProperties: false }),
        response: {
          200: Type.Object({ username: Type.String(), role: RoleSchema, groups: Type.Array(Type.String()) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { username } = request.params;
      const { role } = request.body;
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
      for (const other of current.filter((g) => g !== role && (roles as readonly string[]).includes(g))) {
        await cognito.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: other }));
      }
      const groups = [...current.filter((g) => !(roles as readonly string[]).includes(g)), role];
      request.log.info({ username, role, by: authOf(request).username }, 'role changed');
      return { username, role, groups };
    },
  );
}
