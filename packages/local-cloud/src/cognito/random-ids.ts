/** Identifiers in the formats Cognito and STS hand out. */
import { randomBytes, randomInt } from 'node:crypto';

const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomFrom(chars: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += chars[randomInt(chars.length)];
  return out;
}

/** `us-east-1_AbC123xYz` */
export const newUserPoolId = (region: string) => `${region}_${randomFrom(alphanumeric, 9)}`;
/** 26 lower-case alphanumerics, as Cognito app client ids. */
export const newClientId = () => randomFrom('abcdefghijklmnopqrstuvwxyz0123456789', 26);
/** Temporary (STS) access keys start with ASIA. */
export const newTemporaryAccessKeyId = () => `ASIA${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
export const newSecretAccessKey = () => randomBytes(30).toString('base64');
export const newSessionToken = () => randomBytes(96).toString('base64');
/** Opaque refresh tokens (Cognito's are JWE; clients only pass them back). */
export const newRefreshToken = () => randomBytes(48).toString('base64url');
export const newConfirmationCode = () => String(randomInt(1_000_000)).padStart(6, '0');
