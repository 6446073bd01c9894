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
  const root: KnownCredentials = { secretAccessKey: input.root.secretAccessKey, principal: rootPrincipal(input.arns) };
  const tasks = new Map(
    (Object.entries(input.tasks) as [ServiceName, KeyPair][]).map(([service, keys]) => [keys.accessKeyId, { service, keys }]),
  );
  // A task policy names the user pool, whose id is known only once the pool is provisioned (after the
  // port listens): render it when first asked, and again if the pool's ARN changed.
  const rendered = new Map<ServiceName, { readonly userPoolArn: string; readonly credentials: KnownCredentials }>();
  const taskCredentials = (service: ServiceName, keys: KeyPair): KnownCredentials => {
    const userPoolArn = input.arns.userPoolArn();
    const cached = rendered.get(service);
    if (cached?.userPoolArn === userPoolArn) return cached.credentials;
    const credentials = { secretAccessKey: keys.secretAccessKey, principal: taskPrincipal(service, input.arns) };
    rendered.set(service, { userPoolArn, credentials });
    return credentials;
  };
  return (accessKeyId) => {
    if (accessKeyId === input.root.accessKeyId) return root;
    const task = tasks.get(accessKeyId);
    if (task) return taskCredentials(task.service, task.keys);
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
