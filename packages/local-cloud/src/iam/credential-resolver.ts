/**
 * Finds the credentials behind an access key id among those the local cloud issued: its root
 * keys, one key pair per service task, and the identity-pool credentials of Cognito (which carry a
 * session token and expire).
 */
import type { ServiceName } from '@fleet/core';
import type { LocalArns } from './local-arns.ts';
import { identityPrincipal, rootPrincipal, taskPrincipal, type Principal } from './principals.ts';

export interface KeyPair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface KnownCredentials {
  readonly secretAccessKey: string;
  /** Temporary credentials only: the request must carry this X-Amz-Security-Token. */
  readonly sessionToken?: string;
  /** Epoch ms after which the credentials answer ExpiredTokenException. */
  readonly expiresAt?: number;
  readonly principal: Principal;
}

export type CredentialResolver = (accessKeyId: string) => KnownCredentials | undefined;

/** Identity-pool credentials as the Cognito stand-in issued them (expired ones included while it keeps them). */
export interface IssuedIdentityCredentials {
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly identityId: string;
  readonly expiresAt: number;
}

export function credentialResolver(input: {
  readonly root: KeyPair;
  readonly tasks: Readonly<Partial<Record<ServiceName, KeyPair>>>;
  readonly identities: (accessKeyId: string) => IssuedIdentityCredentials | undefined;
  readonly arns: LocalArns;
}): CredentialResolver {
  const known = new Map<string, KnownCredentials>();
  known.set(input.root.accessKeyId, { secretAccessKey: input.root.secretAccessKey, principal: rootPrincipal(input.arns) });
  for (const [service, keys] of Object.entries(input.tasks) as [ServiceName, KeyPair][]) {
    known.set(keys.accessKeyId, { secretAccessKey: keys.secretAccessKey, principal: taskPrincipal(service, input.arns) });
  }
  return (accessKeyId) => {
    const fixed = known.get(accessKeyId);
    if (fixed) return fixed;
    const issued = input.identities(accessKeyId);
    if (!issued) return undefined;
    return {
      secretAccessKey: issued.secretAccessKey,
      sessionToken: issued.sessionToken,
      expiresAt: issued.expiresAt,
      principal: identityPrincipal(issued.identityId, input.arns),
    };
  };
}
