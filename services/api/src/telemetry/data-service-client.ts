/**
 * The Data Service as the API reaches it (load balancer 3), with the caller's token. Every answer
 * is checked against its `@fleet/core` contract before the API uses it (`checkedAnswer`); its
 * errors are mapped into the API's own codes (`data-service-errors.ts`). A 5xx, a timeout, a
 * refused connection or an answer of another shape become a 502 so the caller can tell "your
 * request is wrong" from "a dependency is down", never a 500 from serializing what was relayed.
 */
import { answerChecker, chunk, deviceLimits, DeviceStatesSchema, type DeviceState } from '@fleet/core';
import type { Logger } from 'pino';
import type { Static, TSchema } from 'typebox';
import { apiError } from '../errors.ts';
import { fromDataServiceError, type RelayedCode } from './data-service-errors.ts';

/** A call of a Data Service route: its path and query string, the caller's token, the Data Service codes it relays. */
export interface DataServiceCall {
  readonly path: string;
  readonly query: string;
  readonly accessToken: string;
  /** @default none (besides `Unauthorized`, see data-service-errors.ts) */
  readonly relay?: readonly RelayedCode[];
  /** A JSON body (sent as `application/json`). @default none */
  readonly body?: unknown;
}

export interface DataServiceClient {
  /** GETs a route; resolves with the 200 answer, checked against `schema`. */
  get<T extends TSchema>(schema: T, call: DataServiceCall): Promise<Static<T>>;
  /** POSTs to a route (with `call.body`, if any); resolves with the 200 or 201 answer, checked against `schema`. */
  post<T extends TSchema>(schema: T, call: DataServiceCall): Promise<Static<T>>;
  /** PUTs `call.body`; resolves with the 200 answer, checked against `schema`. */
  put<T extends TSchema>(schema: T, call: DataServiceCall): Promise<Static<T>>;
  /** A POST or DELETE answered 204 No Content. */
  noContent(method: 'POST' | 'DELETE', call: DataServiceCall): Promise<void>;
  /** Presence and latest reading of each device, in the order given: one call per 100 devices. */
  deviceStates(deviceIds: readonly string[], accessToken: string): Promise<DeviceState[]>;
}

/**
 * The answer of a Data Service route whose shape is a contract of `@fleet/core`, checked against it:
 * an answer of another shape (another version of the service, a bug) is a 502 like an unreachable
 * service, never a 500 when our own serializer meets it.
 */
export function checkedAnswer<T extends TSchema>(schema: T, what: string): (text: string) => Static<T> {
  const check = answerChecker(schema);
  return (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw apiError('DataServiceUnavailable', 'The data service answered in an unexpected shape, try again later', {
        cause: new Error(`${what}: the answer is not JSON`, { cause: err }),
      });
    }
    const checked = check(value);
    if (checked.ok) return checked.value;
    throw apiError('DataServiceUnavailable', 'The data service answered in an unexpected shape, try again later', {
      cause: new Error(`${what}: ${checked.problems.join('; ')}`),
    });
  };
}

export function createDataServiceClient(deps: { baseUrl: string; logger: Logger; timeoutMs?: number }): DataServiceClient {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  /** One checker per contract, compiled once. */
  const checkers = new WeakMap<TSchema, (text: string) => unknown>();
  const checkerOf = <T extends TSchema>(schema: T) => {
    let checker = checkers.get(schema);
    if (!checker) checkers.set(schema, (checker = checkedAnswer(schema, 'the data service')));
    return checker as (text: string) => Static<T>;
  };

  type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

  /** One request; resolves with the answer's text when its status is one of `ok`. */
  async function exchange(method: Method, ok: readonly number[], { path, query, accessToken, relay = [], body }: DataServiceCall) {
    const url = `${deps.baseUrl}${path}${query ? `?${query}` : ''}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        // The caller's token travels on: the Data Service sees the same caller as through the gateway.
        headers: {
          authorization: `Bearer ${accessToken}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw apiError('DataServiceUnavailable', 'The data service is unavailable, try again later', { cause: err });
    }
    if (!ok.includes(res.status)) throw fromDataServiceError(res.status, text, `${method} ${path}`, relay);
    return text;
  }

  const send = async <T extends TSchema>(schema: T, method: Method, call: DataServiceCall, ok: readonly number[] = [200]) =>
    checkerOf(schema)(await exchange(method, ok, call));

  const client: DataServiceClient = {
    get: (schema, call) => send(schema, 'GET', call),
    post: (schema, call) => send(schema, 'POST', call, [200, 201]),
    put: (schema, call) => send(schema, 'PUT', call),
    async noContent(method, call) {
      await exchange(method, [204], call);
    },
    async deviceStates(deviceIds, accessToken) {
      const states: DeviceState[] = [];
      for (const ids of chunk(deviceIds, deviceLimits.maxPage)) {
        const answer = await client.get(DeviceStatesSchema, { path: '/data/device-states', query: `ids=${ids.join(',')}`, accessToken });
        if (answer.devices.length !== ids.length || answer.devices.some((d, j) => d.deviceId !== ids[j])) {
          throw apiError('DataServiceUnavailable', 'The data service answered in an unexpected shape, try again later', {
            cause: new Error(`GET /data/device-states answered other devices than the ${ids.length} asked`),
          });
        }
        states.push(...answer.devices);
      }
      return states;
    },
  };
  return client;
}
