/**
 * Certificate ownership tokens of fleet provisioning: CreateKeysAndCertificate and
 * CreateCertificateFromCsr answer one with the new certificate, and RegisterThing must present it
 * to provision that certificate. A token is random (256 bits), proves ownership for
 * `certificateOwnershipTokenTtlMs` (AWS: one hour) and is spent by the RegisterThing that succeeds
 * with it; while one RegisterThing runs with a token, another with the same token is refused.
 *
 * Tokens live in memory: after a restart of the local cloud the device asks for a new certificate,
 * as it would after an expired token (its PENDING_ACTIVATION certificate is never activated).
 */
import { randomBytes } from 'node:crypto';
import { certificateOwnershipTokenTtlMs } from '@fleet/core';

export type TokenRefusal = 'unknown' | 'expired' | 'in-use';

export interface OwnershipTokens {
  issue(certificateId: string): string;
  /** Takes the token for one RegisterThing: its certificate, or why it cannot be used. */
  claim(token: string): { readonly certificateId: string } | { readonly refusal: TokenRefusal };
  /** Ends a RegisterThing: a successful one spends the token, a failed one gives it back. */
  release(token: string, spent: boolean): void;
}

interface TokenRecord {
  readonly certificateId: string;
  readonly expiresAt: number;
  inUse: boolean;
}

export function createOwnershipTokens(now: () => number = Date.now): OwnershipTokens {
  const tokens = new Map<string, TokenRecord>();
  const sweep = () => {
    const at = now();
    for (const [token, record] of tokens) if (record.expiresAt <= at && !record.inUse) tokens.delete(token);
  };
  return {
    issue(certificateId) {
      // Expired tokens go when new ones come: memory stays bounded by an hour's certificates.
      if (tokens.size % 1024 === 1023) sweep();
      const token = randomBytes(32).toString('base64url');
      tokens.set(token, { certificateId, expiresAt: now() + certificateOwnershipTokenTtlMs, inUse: false });
      return token;
    },
    claim(token) {
      const record = tokens.get(token);
      if (!record) return { refusal: 'unknown' };
      if (record.expiresAt <= now()) {
        tokens.delete(token);
        return { refusal: 'expired' };
      }
      if (record.inUse) return { refusal: 'in-use' };
      record.inUse = true;
      return { certificateId: record.certificateId };
    },
    release(token, spent) {
      const record = tokens.get(token);
      if (!record) return;
      if (spent) tokens.delete(token);
      else record.inUse = false;
    },
  };
}
