/**
 * The email of the users the audit trail names. Access tokens carry no email and Fleet's pool signs
 * in by email with a uuid username, so the entry stores the immutable identity (sub, username) and
 * the reader asks the user pool (AdminGetUser) for the email, once per user for a few minutes: a page
 * names few users, and writing an entry never waits for Cognito.
 */
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { AuditActor } from '@fleet/core';
import type { Logger } from 'pino';
import type { ApiClients } from '../aws-clients.ts';

export interface ActorEmails {
  /** The actors with their email filled in where the user pool knows it (null for a deleted user). */
  fill(actors: readonly AuditActor[]): Promise<AuditActor[]>;
  /** The email of one user (null when the pool does not know it). */
  emailOf(username: string): Promise<string | null>;
}

export interface ActorEmailsDeps {
  readonly cognito: ApiClients['cognito'];
  readonly userPoolId: string;
  readonly logger: Pick<Logger, 'warn'>;
  /** How long an answer is reused. @default 300000 */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/** Users remembered at most; the oldest answer is forgotten first. */
const maxRemembered = 1000;

export function createActorEmails(deps: ActorEmailsDeps): ActorEmails {
  const ttlMs = deps.ttlMs ?? 300_000;
  const now = deps.now ?? Date.now;
  const known = new Map<string, { email: string | null; at: number }>();

  async function emailOf(username: string): Promise<string | null> {
    const hit = known.get(username);
    if (hit && now() - hit.at < ttlMs) return hit.email;
    let email: string | null;
    try {
      const out = await deps.cognito.send(new AdminGetUserCommand({ UserPoolId: deps.userPoolId, Username: username }));
      email = out.UserAttributes?.find((a) => a.Name === 'email')?.Value ?? null;
    } catch (err) {
      if ((err as { name?: string }).name !== 'UserNotFoundException') {
        deps.logger.warn({ err, username }, 'AdminGetUser failed; the audit trail shows the user without email');
        return null;
      }
      email = null;
    }
    known.delete(username);
    known.set(username, { email, at: now() });
    if (known.size > maxRemembered) known.delete(known.keys().next().value as string);
    return email;
  }

  return {
    emailOf,
    async fill(actors) {
      const usernames = [...new Set(actors.flatMap((a) => (a.username ? [a.username] : [])))];
      const emails = new Map(await Promise.all(usernames.map(async (u) => [u, await emailOf(u)] as const)));
      return actors.map((a) => (a.username ? { ...a, email: emails.get(a.username) ?? null } : a));
    },
  };
}
