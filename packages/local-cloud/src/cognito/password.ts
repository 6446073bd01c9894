/**
 * Passwords: the pool's password policy, checked as Cognito does, and scrypt hashes (never clear
 * text on disk).
 */
import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { AwsError } from '../aws-endpoint/index.ts';
import type { StoredPasswordPolicy } from './cognito-state.ts';

/** Cognito's default when CreateUserPool gives no `Policies.PasswordPolicy`. */
export const defaultPasswordPolicy: StoredPasswordPolicy = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

// The special characters Cognito counts as symbols (User pool password requirements, Amazon Cognito Developer Guide).
const symbols = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ');

/**
 * Throws InvalidPasswordException with Cognito's message for the first rule the password breaks.
 * Messages copied from Cognito ("Password did not conform with policy: ...").
 */
export function assertPasswordConforms(password: string, policy: StoredPasswordPolicy): void {
  const fail = (why: string) => new AwsError('InvalidPasswordException', `Password did not conform with policy: ${why}`);
  if (password.length < policy.MinimumLength) throw fail('Password not long enough');
  if (policy.RequireLowercase && !/[a-z]/.test(password)) throw fail('Password must have lowercase characters');
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) throw fail('Password must have uppercase characters');
  if (policy.RequireNumbers && !/[0-9]/.test(password)) throw fail('Password must have numeric characters');
  if (policy.RequireSymbols && ![...password].some((c) => symbols.has(c))) throw fail('Password must have symbol characters');
}

/** A random password that satisfies the policy (AdminCreateUser without TemporaryPassword). */
export function generateTemporaryPassword(policy: StoredPasswordPolicy): string {
  const pick = (chars: string) => chars[randomInt(chars.length)] ?? '';
  const lower = 'abcdefghijkmnopqrstuvwxyz';
  const upper = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  const digits = '23456789';
  let password = pick(lower) + pick(upper) + pick(digits) + pick('!#%+=');
  while (password.length < Math.max(policy.MinimumLength, 12)) password += pick(lower + upper + digits);
  return password;
}

const keyLength = 32;

/** `scrypt$<salt b64>$<hash b64>` with Node's default cost (N=16384, r=8, p=1). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) {
    throw new Error(`Stored password hash has scheme "${scheme}"; expected "scrypt$<salt>$<hash>"`);
  }
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, (err, key) => (err ? reject(err) : resolve(key))),
  );
}
