/**
 * Who the signed-in user is and what they may do (GET /api/me). When the role in the user pool
 * differs from the role the access token carries (an admin changed it, or this user just became
 * the first admin of a fresh stack), the tokens are refreshed once so that the API sees the new role.
 */
import type { Permission } from '@fleet/core';
import { useEffect, useState } from 'react';
import type { Api, SignedInUser } from './api.ts';
import type { Auth, Session } from './auth.ts';

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
    api.me().then(
      async (answer) => {
        // Refreshed before the role shows, so that no action of the new role goes out with the old token.
        if (answer.role !== answer.tokenRole) {
          const current = auth.current();
          if (current) onRefreshed(await auth.fresh(current, true));
        }
        if (active) setMe(answer);
      },
      (err: unknown) => active && setError((err as Error).message),
    );
    return () => {
      active = false;
    };
    // The access token changes on refresh; the user (and so the answer) only with the email.
  }, [api, auth, email, onRefreshed]);
  return { me, error, may: (permission) => me?.permissions.includes(permission) ?? false };
}
