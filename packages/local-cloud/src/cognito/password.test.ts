import { describe, expect, it } from 'vitest';
import { AwsError } from '../aws-endpoint/index.ts';
import { assertPasswordConforms, defaultPasswordPolicy, generateTemporaryPassword, hashPassword, verifyPassword } from './password.ts';

const messageOf = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return err instanceof AwsError ? `${err.code}: ${err.message}` : String(err);
  }
  return 'accepted';
};

describe('password policy', () => {
  it("reports the first broken rule with Cognito's message", () => {
    const policy = defaultPasswordPolicy;
    expect(messageOf(() => assertPasswordConforms('Ab1!', policy))).toBe(
      'InvalidPasswordException: Password did not conform with policy: Password not long enough',
    );
    expect(messageOf(() => assertPasswordConforms('ABCDEFG1!', policy))).toMatch(/lowercase/);
    expect(messageOf(() => assertPasswordConforms('abcdefg1!', policy))).toMatch(/uppercase/);
    expect(messageOf(() => assertPasswordConforms('Abcdefgh!', policy))).toMatch(/numeric/);
    expect(messageOf(() => assertPasswordConforms('Abcdefgh1', policy))).toMatch(/symbol/);
    expect(messageOf(() => assertPasswordConforms('Abcdefg1 ', policy))).toBe('accepted');
  });

  it('generates temporary passwords that satisfy the policy', () => {
    for (let i = 0; i < 20; i++)
      expect(messageOf(() => assertPasswordConforms(generateTemporaryPassword(defaultPasswordPolicy), defaultPasswordPolicy))).toBe(
        'accepted',
      );
  });
});

describe('password hashing', () => {
  it('verifies the right password only and never contains it', async () => {
    const hash = await hashPassword('Secret-Pass-1');
    expect(hash).toMatch(/^scrypt\$/);
    expect(hash).not.toContain('Secret-Pass-1');
    expect(await verifyPassword('Secret-Pass-1', hash)).toBe(true);
    expect(await verifyPassword('Secret-Pass-2', hash)).toBe(false);
    expect(await hashPassword('Secret-Pass-1')).not.toBe(hash); // salted
  });
});
