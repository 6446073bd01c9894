/**
 * A Cognito user pool in memory behind the fake Cognito client of the API's tests: users with
 * their groups and attributes, answering the user pool commands the API sends the way Cognito
 * does (including its exceptions). `cognito-stand-in.integration.test.ts` runs the same routes
 * against the real local stand-in.
 */
import { randomUUID } from 'node:crypto';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { awsError, fakeAwsClient, type FakeAwsClient } from './fake-aws-client.ts';

export interface FakeUser {
  readonly username: string;
  readonly sub: string;
  email: string;
  status: 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD';
  groups: string[];
  readonly createdAt: Date;
}

export interface FakeUserPool {
  readonly client: FakeAwsClient<CognitoIdentityProviderClient>;
  readonly users: Map<string, FakeUser>;
  /** Groups made by CreateGroup (the role groups exist in every pool and are not listed). */
  readonly createdGroups: Set<string>;
  /** Adds or updates a user; `groups` replaces the user's groups. */
  put(user: { username: string; sub?: string; email?: string; groups?: string[] }): FakeUser;
}

export function fakeUserPool(): FakeUserPool {
  const users = new Map<string, FakeUser>();
  const createdGroups = new Set<string>();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const get = (username: unknown) => {
    const user = users.get(String(username));
    if (!user) throw awsError('UserNotFoundException', 'User does not exist.');
    return user;
  };
  const userType = (u: FakeUser) => ({
    Username: u.username,
    Enabled: true,
    UserStatus: u.status,
    UserCreateDate: u.createdAt,
    Attributes: [
      { Name: 'sub', Value: u.sub },
      { Name: 'email', Value: u.email },
    ],
  });
  const put: FakeUserPool['put'] = ({ username, sub, email, groups }) => {
    const existing = users.get(username);
    const user: FakeUser = existing ?? {
      username,
      sub: sub ?? `sub-${username}`,
      email: email ?? `${username}@example.com`,
      status: 'CONFIRMED',
      groups: [],
      createdAt: new Date((clock += 1000)),
    };
    if (groups) user.groups = [...groups];
    users.set(username, user);
    return user;
  };

  const client = fakeAwsClient<CognitoIdentityProviderClient>({
    // The access token names its user; the tests' tokens are unsigned-readable JWTs.
    GetUser: (i) => {
      const payload = JSON.parse(Buffer.from(String(i['AccessToken']).split('.')[1] ?? '', 'base64url').toString()) as { username: string };
      const user = users.get(payload.username) ?? put({ username: payload.username });
      return { Username: user.username, UserAttributes: userType(user).Attributes };
    },
    AdminGetUser: (i) => {
      const user = get(i['Username']);
      return { Username: user.username, UserAttributes: userType(user).Attributes, Enabled: true };
    },
    CreateGroup: (i) => {
      const name = String(i['GroupName']);
      if (createdGroups.has(name)) throw awsError('GroupExistsException', `A group with the name ${name} already exists.`);
      createdGroups.add(name);
      return { Group: { GroupName: name } };
    },
    AdminListGroupsForUser: (i) => ({ Groups: get(i['Username']).groups.map((GroupName) => ({ GroupName })) }),
    AdminAddUserToGroup: (i) => {
      const user = get(i['Username']);
      if (!user.groups.includes(String(i['GroupName']))) user.groups.push(String(i['GroupName']));
      return {};
    },
    AdminRemoveUserFromGroup: (i) => {
      const user = get(i['Username']);
      user.groups = user.groups.filter((g) => g !== i['GroupName']);
      return {};
    },
    ListUsersInGroup: (i) => ({
      Users: [...users.values()].filter((u) => u.groups.includes(String(i['GroupName']))).map(userType),
    }),
    ListUsers: (i) => {
      const all = [...users.values()];
      const start = i['PaginationToken'] ? Number(i['PaginationToken']) : 0;
      if (!Number.isInteger(start)) throw awsError('InvalidParameterException', 'Invalid pagination token');
      const page = all.slice(start, start + Number(i['Limit'] ?? 60));
      const next = start + page.length < all.length ? String(start + page.length) : undefined;
      return { Users: page.map(userType), ...(next ? { PaginationToken: next } : {}) };
    },
    // An email-as-username pool (as Fleet's): the email is the sign-in name, the username a uuid.
    AdminCreateUser: (i) => {
      const email = String(i['Username']);
      if ([...users.values()].some((u) => u.email === email))
        throw awsError('UsernameExistsException', 'An account with the given email already exists.');
      const user = put({ username: randomUUID(), email });
      user.status = 'FORCE_CHANGE_PASSWORD';
      return { User: userType(user) };
    },
  });
  return { client, users, createdGroups, put };
}
