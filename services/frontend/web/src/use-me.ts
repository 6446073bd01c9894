/**
 * Who the signed-in user is and what they may do (GET /api/me). When the role or the device access
 * in the user pool differs from what the access token carries (an admin changed it, or this user
 * just became the first admin of a fresh stack), the tokens are refreshed once so that the API sees
 * the new role and groups.
 */
import { deviceAccessOf, type DeviceAccess, type Permission } from '@fleet/core';
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

/** The device access an access token carries: its `cognito:groups`, judged as the API judges them. */
export function tokenDeviceAccess(accessToken: string): DeviceAccess {
  try {
    const payload = accessToken.split('.')[1] ?? '';
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { 'cognito:groups'?: unknown };
    const groups = claims['cognito:groups'];
    return deviceAccessOf(Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : []);
  } catch {
    // Not a JWT the app can read: the API still judges the real token; no refresh is forced for it.
    return { kind: 'all' };
  }
}

const sameAccess = (a: DeviceAccess, b: DeviceAccess) => JSON.stringify(a) === JSON.stringify(b);

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
        const current = auth.current();
        if (current && (answer.role !== answer.tokenRole || !sameAccess(answer.deviceAccess, tokenDeviceAccess(current.accessToken)))) {
          onRefreshed(await auth.fresh(current, true));
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
