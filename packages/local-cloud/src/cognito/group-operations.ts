/**
 * Groups: CreateGroup, GetGroup, ListGroups, DeleteGroup, AdminAddUserToGroup,
 * AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup. Membership shows in the
 * `cognito:groups` claim of tokens issued afterwards, as on AWS.
 */
import { AwsError, type JsonOperation } from '../aws-endpoint/index.ts';
import { epochSeconds, type CognitoContext } from './cognito-context.ts';
import type { StoredGroup, StoredUserPool } from './cognito-state.ts';
import { getPool, getUser, userType } from './user-pool-model.ts';
import { optionalNumber, optionalString, paginate, requiredString } from './wire-input.ts';
import { ownValue, setOwn } from '../aws-endpoint/own-record.ts';

export function groupOperations(ctx: CognitoContext): Record<string, JsonOperation> {
  const groupType = (pool: StoredUserPool, group: StoredGroup) => ({
    GroupName: group.name,
    UserPoolId: pool.id,
    Description: group.description,
    RoleArn: group.roleArn,
    Precedence: group.precedence,
    CreationDate: epochSeconds(group.createdAt),
    LastModifiedDate: epochSeconds(group.updatedAt),
  });

  function getGroup(pool: StoredUserPool, name: string): StoredGroup {
    const group = ownValue(pool.groups, name);
    if (!group) throw new AwsError('ResourceNotFoundException', 'Group not found.');
    return group;
  }

  const byName = (groups: StoredGroup[]) => groups.sort((a, b) => a.name.localeCompare(b.name));

  return {
    async CreateGroup(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const name = requiredString(input, 'GroupName');
      if (ownValue(pool.groups, name)) throw new AwsError('GroupExistsException', `A group with the name ${name} already exists.`);
      const now = ctx.now();
      const group: StoredGroup = { name, createdAt: now, updatedAt: now };
      const description = optionalString(input, 'Description');
      const precedence = optionalNumber(input, 'Precedence');
      const roleArn = optionalString(input, 'RoleArn');
      if (description !== undefined) group.description = description;
      if (precedence !== undefined) group.precedence = precedence;
      if (roleArn !== undefined) group.roleArn = roleArn;
      setOwn(pool.groups, name, group);
      await ctx.save();
      return { Group: groupType(pool, group) };
    },

    async GetGroup(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      return { Group: groupType(pool, getGroup(pool, requiredString(input, 'GroupName'))) };
    },

    async ListGroups(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const { page, next } = paginate(
        byName(Object.values(pool.groups)),
        optionalNumber(input, 'Limit'),
        optionalString(input, 'NextToken'),
      );
      return { Groups: page.map((g) => groupType(pool, g)), NextToken: next };
    },

    async DeleteGroup(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const group = getGroup(pool, requiredString(input, 'GroupName'));
      delete pool.groups[group.name];
      for (const user of Object.values(pool.users)) user.groups = user.groups.filter((g) => g !== group.name);
      await ctx.save();
      return {};
    },

    async AdminAddUserToGroup(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const group = getGroup(pool, requiredString(input, 'GroupName'));
      const user = getUser(pool, requiredString(input, 'Username'));
      if (!user.groups.includes(group.name)) user.groups = [...user.groups, group.name];
      await ctx.save();
      return {};
    },

    async AdminRemoveUserFromGroup(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const group = getGroup(pool, requiredString(input, 'GroupName'));
      const user = getUser(pool, requiredString(input, 'Username'));
      user.groups = user.groups.filter((g) => g !== group.name);
      await ctx.save();
      return {};
    },

    async AdminListGroupsForUser(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const user = getUser(pool, requiredString(input, 'Username'));
      const groups = byName(user.groups.map((g) => ownValue(pool.groups, g)).filter((g): g is StoredGroup => g !== undefined));
      const { page, next } = paginate(groups, optionalNumber(input, 'Limit'), optionalString(input, 'NextToken'));
      return { Groups: page.map((g) => groupType(pool, g)), NextToken: next };
    },

    async ListUsersInGroup(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const group = getGroup(pool, requiredString(input, 'GroupName'));
      const members = Object.values(pool.users)
        .filter((u) => u.groups.includes(group.name))
        .sort((a, b) => a.createdAt - b.createdAt || a.username.localeCompare(b.username));
      const { page, next } = paginate(members, optionalNumber(input, 'Limit'), optionalString(input, 'NextToken'));
      return { Users: page.map(userType), NextToken: next };
    },
  };
}
