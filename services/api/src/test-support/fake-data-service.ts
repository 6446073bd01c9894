/**
 * A Data Service for the API's tests, over real HTTP on a loopback port: it answers the device
 * state route from states a test sets, serialized by the `@fleet/core` contract (so it cannot
 * answer a shape the real one could not), and records every request. Tests that need other Data
 * Service answers start their own.
 */
import { DeviceStatesSchema, type DeviceState } from '@fleet/core';
import Fastify from 'fastify';

export interface FakeDataService {
  readonly url: string;
  /** `METHOD /path?query` of every request, with its `Authorization` header. */
  readonly requests: { readonly url: string; readonly authorization: string | undefined }[];
  /** Sets what the Data Service knows of a device (presence, latest reading). */
  setState(state: DeviceState): void;
  close(): Promise<void>;
}

export async function startFakeDataService(): Promise<FakeDataService> {
  const states = new Map<string, DeviceState>();
  const requests: { url: string; authorization: string | undefined }[] = [];
  const app = Fastify();
  app.addHook(
    'onRequest',
    async (request) => void requests.push({ url: `${request.method} ${request.url}`, authorization: request.headers.authorization }),
  );
  app.get('/data/device-states', { schema: { response: { 200: DeviceStatesSchema } } }, async (request) => {
    const ids = String((request.query as { ids?: string }).ids ?? '').split(',');
    return { devices: ids.map((deviceId) => states.get(deviceId) ?? { deviceId, online: false }) };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    requests,
    setState: (state) => void states.set(state.deviceId, state),
    close: () => app.close(),
  };
}
