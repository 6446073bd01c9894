/** The Fleet REST API (behind the gateway at /api), with the user's access token. */
import type {
  DeadLetterOverview,
  DeadLetterReplayResult,
  DeviceCredentials,
  ErrorCode,
  PoolUser,
  ReadingInterval,
  Role,
  SignedInUser,
} from '@fleet/core';
import type { Session } from './auth.ts';

export type Credentials = DeviceCredentials;
export type Interval = ReadingInterval;

export interface Device {
  readonly deviceId: string;
  readonly name: string;
  readonly online?: boolean;
  readonly lastSeenAt?: string;
  readonly createdAt?: string;
  readonly latest?: { readonly ts: number; readonly seq?: number; readonly values: Readonly<Record<string, number>> };
}

export type { PoolUser, Role, SignedInUser };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The code of the answer (`{ code, message }`), when it had one. */
    readonly code?: ErrorCode,
  ) {
    super(message);
  }
}

export function createApi(session: () => Promise<Session>) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { accessToken } = await session();
    const res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const error = parsed as { code?: ErrorCode; message?: string } | undefined;
      throw new ApiError(res.status, error?.message ?? `${method} ${path} answered ${res.status}`, error?.code);
    }
    return parsed as T;
  }
  return {
    me: () => call<SignedInUser>('GET', '/api/me'),
    devices: () => call<{ items: Device[] }>('GET', '/api/devices'),
    device: (id: string) => call<Device>('GET', `/api/devices/${encodeURIComponent(id)}`),
    register: (name: string, deviceId?: string) =>
      call<{ device: Device; credentials: Credentials }>('POST', '/api/devices', { name, ...(deviceId ? { deviceId } : {}) }),
    remove: (id: string) => call<unknown>('DELETE', `/api/devices/${encodeURIComponent(id)}`),
    history: (id: string, from: number, to: number, maxPoints: number) =>
      call<{ metrics: Record<string, Interval[]> }>(
        'GET',
        `/api/devices/${encodeURIComponent(id)}/telemetry?from=${from}&to=${to}&maxPoints=${maxPoints}`,
      ),
    liveAccess: (idToken: string) => call<{ identityId: string }>('POST', '/api/me/live-access', { idToken }),
    users: () => call<{ users: PoolUser[]; nextCursor?: string }>('GET', '/api/users'),
    invite: (email: string, role: Role) => call<{ user: PoolUser }>('POST', '/api/users', { email, role }),
    setRole: (username: string, role: Role) =>
      call<{ username: string; role: Role }>('PUT', `/api/users/${encodeURIComponent(username)}/role`, { role }),
    deadLetters: (limit: number) => call<DeadLetterOverview>('GET', `/api/dead-letters?limit=${limit}`),
    replayDeadLetters: () => call<DeadLetterReplayResult>('POST', '/api/dead-letters/replay'),
  };
}

export type Api = ReturnType<typeof createApi>;
