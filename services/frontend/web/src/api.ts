/** The Fleet REST API (behind the gateway at /api), with the user's access token. */
import type { DeadLetterOverview, DeadLetterReplayResult, DeviceCredentials, ReadingInterval } from '@fleet/core';
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

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
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
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok)
      throw new ApiError(res.status, (parsed as { message?: string } | undefined)?.message ?? `${method} ${path} answered ${res.status}`);
    return parsed as T;
  }
  return {
    me: () => call<{ email?: string; username: string; role: string }>('GET', '/api/me'),
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
    deadLetters: (limit: number) => call<DeadLetterOverview>('GET', `/api/dead-letters?limit=${limit}`),
    replayDeadLetters: () => call<DeadLetterReplayResult>('POST', '/api/dead-letters/replay'),
  };
}

export type Api = ReturnType<typeof createApi>;
