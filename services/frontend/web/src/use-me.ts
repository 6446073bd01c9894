/**
 * Who the signed-in user is and what they may do (GET /api/me). When the role in the user pool
 * differs from the role the access token carries (an admin changed it, or this user just became
 * the first admin of a fresh stack), the tokens are refreshed once so that the API sees the new role.
 */
import type { Permission } from '@fleet/core';
import { useEffect, useState } from 'react';
import type { Api, SignedInUser } from './api.ts';
import type { Auth, Session } from './auth.ts';

/** Until /api/me answers: without it the app cannot tell what the user may do. */
const meAttempts = 5;
const meRetryMs = 1_000;

export interface MeState {
  readonly me?: SignedInUser;
  readonly error?: string;
  /** Whether the user may take an action; false until /api/me has answered. */
  may(permission: Permission): boolean;
}

export function useMe(api: Api, auth: Auth, session: Session | undefined, onRefreshed: (s: Session) => void): MeState {
  const [me, setMe] = useState<SignedInUser>();
  const [error, setError] = useState<string>();
  const email = session?.email;
  useEffect(() => {
    if (!email) return void setMe(undefined);
    let active = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const load = async (attempt: number): Promise<void> => {
      try {
        const answer = await api.me();
        // Refreshed before the role shows, so that no action of the new role goes out with the old token.
        if (answer.role !== answer.tokenRole) {
          const current = auth.current();
          if (current) onRefreshed(await auth.fresh(current, true));
        }
        if (!active) return;
        setMe(answer);
        setError(undefined);
      } catch (err) {
        if (!active) return;
        setError((err as Error).message);
        // A platform still starting (AuthUnavailable, a 502) answers a moment later, as a reload would.
        if (attempt < meAttempts) retry = setTimeout(() => void load(attempt + 1), meRetryMs * attempt);
      }
    };
    void load(1);
    return () => {
      active = false;
      clearTimeout(retry);
    };
    // The access token changes on refresh; the user (and so the answer) only with the email.
  }, [api, auth, email, onRefreshed]);
  return { me, error, may: (permission) => me?.permissions.includes(permission) ?? false };
}
