/**
 * Users: SignUp, ConfirmSignUp, ResendConfirmationCode, AdminConfirmSignUp, AdminCreateUser,
 * AdminGetUser, AdminDeleteUser, AdminDisableUser, AdminEnableUser, ListUsers, AdminSetUserPassword (Amazon Cognito user pools API reference).
 *
 * No mail leaves the machine: a sign-up confirmation code is logged (pino, info) and mirrored to
 * `<dataDir>/confirmation-codes.json` so scripts and e2e tests can read it.
 */
import { randomUUID } from 'node:crypto';
import { AwsError, type JsonOperation } from '../aws-endpoint/index.ts';
import { epochSeconds, type CognitoContext } from './cognito-context.ts';
import type { StoredUser, StoredUserPool } from './cognito-state.ts';
import { assertPasswordConforms, generateTemporaryPassword, hashPassword } from './password.ts';
import { newConfirmationCode } from './random-ids.ts';
import {
  attributeListOf,
  findUser,
  getClientById,
  getPool,
  getUser,
  signInName,
  signsInWithEmail,
  usernameKey,
  userType,
} from './user-pool-model.ts';
import {
  attributeList,
  optionalNumber,
  optionalString,
  optionalStringList,
  paginate,
  requiredString,
  type WireInput,
} from './wire-input.ts';
import { ownValue, setOwn } from '../aws-endpoint/own-record.ts';

/**
 * The SignUp / AdminCreateUser API reference: a username is 1–128 characters matching
 * `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, an attribute value at most 2048 characters.
 */
function assertCognitoLimits(username: string, attributes: Record<string, string>): void {
  if (username.length > 128) {
    throw new AwsError(
      'InvalidParameterException',
      "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128",
    );
  }
  if (!/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u.test(username)) {
    throw new AwsError(
      'InvalidParameterException',
      "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    );
  }
  for (const [name, value] of Object.entries(attributes)) {
    if (value.length > 2048) throw new AwsError('InvalidParameterException', `Attribute ${name} is longer than 2048 characters.`);
  }
}

/** Cognito's sign-up codes are valid for 24 hours. */
const codeLifetimeMs = 24 * 3600 * 1000;
const dayMs = 24 * 3600 * 1000;

export function userOperations(ctx: CognitoContext): Record<string, JsonOperation> {
  /** Validates and creates a user record; the caller stores it after its own checks. */
  async function newUser(
    pool: StoredUserPool,
    requestedName: string,
    password: string,
    attributes: Record<string, string>,
    status: StoredUser['status'],
  ): Promise<StoredUser> {
    delete attributes.sub; // sub is Cognito's, never the caller's
    assertCognitoLimits(requestedName, attributes);
    const sub = randomUUID();
    let username = requestedName;
    if (signsInWithEmail(pool)) {
      // With UsernameAttributes [email], the email is the sign-in name and the username is the sub.
      if (!requestedName.includes('@')) throw new AwsError('InvalidParameterException', 'Username should be an email.');
      attributes.email = requestedName;
      username = sub;
    }
    if (attributes.email !== undefined && attributes.email_verified === undefined) attributes.email_verified = 'false';
    assertUnique(pool, requestedName);
    const passwordHash = await hashPassword(password);
    assertUnique(pool, requestedName); // again: another request may have won while we hashed
    const now = ctx.now();
    return { username, sub, attributes, passwordHash, status, enabled: true, createdAt: now, updatedAt: now, groups: [] };
  }

  function assertUnique(pool: StoredUserPool, requestedName: string): void {
    if (signsInWithEmail(pool)) {
      if (findUser(pool, requestedName)) throw new AwsError('UsernameExistsException', 'An account with the given email already exists.');
    } else if (ownValue(pool.users, usernameKey(pool, requestedName))) {
      throw new AwsError('UsernameExistsException', 'User already exists');
    }
  }

  function sendConfirmationCode(pool: StoredUserPool, user: StoredUser): Record<string, string> {
    const code = newConfirmationCode();
    user.confirmation = { code, expiresAt: ctx.now() + codeLifetimeMs };
    ctx.publishConfirmationCode(pool.id, signInName(pool, user), code);
    ctx.log.info(
      { userPoolId: pool.id, username: user.username, email: user.attributes.email, code },
      'sign-up confirmation code (not mailed locally)',
    );
    const email = user.attributes.email;
    return email
      ? { Destination: maskEmail(email), DeliveryMedium: 'EMAIL', AttributeName: 'email' }
      : { Destination: 'local log', DeliveryMedium: 'EMAIL', AttributeName: 'email' };
  }

  function confirm(pool: StoredUserPool, user: StoredUser): void {
    user.status = 'CONFIRMED';
    delete user.confirmation;
    user.updatedAt = ctx.now();
    ctx.publishConfirmationCode(pool.id, signInName(pool, user), undefined);
  }

  /** AdminEnableUser and AdminDisableUser: the same lookup and save, one flag apart. */
  async function setEnabled(input: WireInput, enabled: boolean): Promise<Record<string, never>> {
    const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
    const user = getUser(pool, requiredString(input, 'Username'));
    user.enabled = enabled;
    user.updatedAt = ctx.now();
    await ctx.save();
    return {};
  }

  return {
    async SignUp(input) {
      const { pool } = getClientById(ctx, requiredString(input, 'ClientId'));
      const username = requiredString(input, 'Username');
      const password = requiredString(input, 'Password');
      assertPasswordConforms(password, pool.passwordPolicy);
      const user = await newUser(pool, username, password, attributeList(input, 'UserAttributes'), 'UNCONFIRMED');
      const delivery = sendConfirmationCode(pool, user);
      setOwn(pool.users, usernameKey(pool, user.username), user);
      await ctx.save();
      return { UserConfirmed: false, UserSub: user.sub, CodeDeliveryDetails: delivery };
    },

    async ConfirmSignUp(input) {
      const { pool } = getClientById(ctx, requiredString(input, 'ClientId'));
      const code = requiredString(input, 'ConfirmationCode');
      const user = findUser(pool, requiredString(input, 'Username'));
      if (!user) throw new AwsError('UserNotFoundException', 'Username/client id combination not found.');
      if (user.status !== 'UNCONFIRMED')
        throw new AwsError('NotAuthorizedException', `User cannot be confirmed. Current status is ${user.status}`);
      if (!user.confirmation || user.confirmation.code !== code)
        throw new AwsError('CodeMismatchException', 'Invalid verification code provided, please try again.');
      if (user.confirmation.expiresAt <= ctx.now())
        throw new AwsError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
      // The code went to the email address, which proves it (auto-verified attribute).
      if (user.attributes.email !== undefined) user.attributes.email_verified = 'true';
      confirm(pool, user);
      await ctx.save();
      return {};
    },

    async ResendConfirmationCode(input) {
      const { pool } = getClientById(ctx, requiredString(input, 'ClientId'));
      const user = findUser(pool, requiredString(input, 'Username'));
      if (!user) throw new AwsError('UserNotFoundException', 'Username/client id combination not found.');
      if (user.status !== 'UNCONFIRMED') throw new AwsError('InvalidParameterException', 'User is already confirmed.');
      const delivery = sendConfirmationCode(pool, user);
      await ctx.save();
      return { CodeDeliveryDetails: delivery };
    },

    async AdminConfirmSignUp(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const user = getUser(pool, requiredString(input, 'Username'));
      if (user.status !== 'UNCONFIRMED')
        throw new AwsError('NotAuthorizedException', `User cannot be confirmed. Current status is ${user.status}`);
      confirm(pool, user);
      await ctx.save();
      return {};
    },

    async AdminCreateUser(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const username = requiredString(input, 'Username');
      const given = optionalString(input, 'TemporaryPassword');
      if (given !== undefined) assertPasswordConforms(given, pool.passwordPolicy);
      const messageAction = optionalString(input, 'MessageAction');
      if (messageAction === 'RESEND') {
        throw new AwsError(
          'UnsupportedUserStateException',
          'The local cloud does not resend invitations (MessageAction RESEND); use AdminSetUserPassword',
        );
      }
      const temporaryPassword = given ?? generateTemporaryPassword(pool.passwordPolicy);
      const user = await newUser(pool, username, temporaryPassword, attributeList(input, 'UserAttributes'), 'FORCE_CHANGE_PASSWORD');
      user.temporaryPasswordExpiresAt = ctx.now() + pool.passwordPolicy.TemporaryPasswordValidityDays * dayMs;
      setOwn(pool.users, usernameKey(pool, user.username), user);
      // The invitation Cognito would mail (unless suppressed), kept where the local developer can read it.
      if (messageAction !== 'SUPPRESS') ctx.publishInvitation(pool.id, signInName(pool, user), temporaryPassword);
      await ctx.save();
      if (given === undefined) {
        // On AWS the invitation mail carries it; locally the log is the only place it appears.
        ctx.log.info(
          { userPoolId: pool.id, username: user.username, temporaryPassword },
          'temporary password (invitation not mailed locally)',
        );
      }
      return { User: userType(user) };
    },

    async AdminGetUser(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const user = getUser(pool, requiredString(input, 'Username'));
      return {
        Username: user.username,
        UserAttributes: attributeListOf(user),
        UserCreateDate: epochSeconds(user.createdAt),
        UserLastModifiedDate: epochSeconds(user.updatedAt),
        Enabled: user.enabled,
        UserStatus: user.status,
      };
    },

    async AdminDeleteUser(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const user = getUser(pool, requiredString(input, 'Username'));
      delete pool.users[usernameKey(pool, user.username)];
      for (const [hash, token] of Object.entries(ctx.state.refreshTokens)) {
        if (token.poolId === pool.id && token.sub === user.sub) delete ctx.state.refreshTokens[hash];
      }
      ctx.publishConfirmationCode(pool.id, signInName(pool, user), undefined);
      ctx.publishInvitation(pool.id, signInName(pool, user), undefined);
      await ctx.save();
      return {};
    },

    async ListUsers(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const filter = parseFilter(optionalString(input, 'Filter'));
      const wanted = optionalStringList(input, 'AttributesToGet');
      const users = Object.values(pool.users)
        .filter((u) => !filter || filter(u))
        .sort((a, b) => a.createdAt - b.createdAt || a.username.localeCompare(b.username));
      const { page, next } = paginate(users, optionalNumber(input, 'Limit'), optionalString(input, 'PaginationToken'));
      return {
        Users: page.map((u) => {
          const shaped = userType(u);
          return wanted ? { ...shaped, Attributes: shaped.Attributes.filter((a) => wanted.includes(a.Name)) } : shaped;
        }),
        PaginationToken: next,
      };
    },

    AdminDisableUser: (input) => setEnabled(input, false),
    AdminEnableUser: (input) => setEnabled(input, true),

    async AdminSetUserPassword(input) {
      const pool = getPool(ctx, requiredString(input, 'UserPoolId'));
      const user = getUser(pool, requiredString(input, 'Username'));
      const password = requiredString(input, 'Password');
      assertPasswordConforms(password, pool.passwordPolicy);
      user.passwordHash = await hashPassword(password);
      if (input.Permanent === true) {
        user.status = 'CONFIRMED';
        delete user.temporaryPasswordExpiresAt;
        delete user.confirmation;
      } else {
        user.status = 'FORCE_CHANGE_PASSWORD';
        user.temporaryPasswordExpiresAt = ctx.now() + pool.passwordPolicy.TemporaryPasswordValidityDays * dayMs;
      }
      user.updatedAt = ctx.now();
      await ctx.save();
      return {};
    },
  };
}

/**
 * ListUsers `Filter`: `attribute = "value"` (exact) or `attribute ^= "value"` (prefix), the two
 * operators Cognito supports; `cognito:user_status` and `status` (Enabled/Disabled) included.
 */
function parseFilter(filter: string | undefined): ((user: StoredUser) => boolean) | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  const match = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(filter);
  if (!match)
    throw new AwsError(
      'InvalidParameterException',
      `Error while parsing filter "${filter}"; expected attribute = "value" or attribute ^= "value"`,
    );
  const [, name = '', operator, value = ''] = match;
  const read = (user: StoredUser): string | undefined => {
    if (name === 'username') return user.username;
    if (name === 'sub') return user.sub;
    if (name === 'cognito:user_status') return user.status;
    if (name === 'status') return user.enabled ? 'Enabled' : 'Disabled';
    return ownValue(user.attributes, name);
  };
  return (user) => {
    const actual = read(user);
    return actual !== undefined && (operator === '=' ? actual === value : actual.startsWith(value));
  };
}

/** Cognito shows `j***@e***` as CodeDeliveryDetails.Destination. */
function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.charAt(0)}***@${domain.charAt(0)}***`;
}
