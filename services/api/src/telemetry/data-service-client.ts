/**
 * The Data Service as the API reaches it (load balancer 3). Telemetry queries are passed through:
 * the Data Service's JSON body is relayed as received, its 4xx become ours with the same status
 * and `{ code, message }` (its codes are the same closed set of `@fleet/core`; anything else is
 * named by its status), and its 5xx, a timeout or a refused connection become a 502 so the
 * caller can tell "your request is wrong" from "a dependency is down".
 */
import { errorCodeForStatus, isErrorCode } from '@fleet/core';
import type { Logger } from 'pino';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { ApiError, apiError } from '../errors.ts';

export interface DataServiceClient {
  /** GETs `path` with the query string; resolves with the JSON text of a 200. */
  get(path: string, query: string, accessToken: string): Promise<string>;
  /** POSTs to `path` with the query string and no body; resolves with the JSON text of a 200. */
  post(path: string, query: string, accessToken: string): Promise<string>;
}

/**
 * The answer of a Data Service route whose shape is a contract of `@fleet/core`, checked against it:
 * an answer of another shape (another version of the service, a bug) is a 502 like an unreachable
 * service, never a 500 when our own serializer meets it.
 */
export function checkedAnswer<T extends TSchema>(schema: T, what: string): (text: string) => Static<T> {
  const validator = Compile(schema);
  return (text) => {
    const value: unknown = JSON.parse(text);
    if (validator.Check(value)) return value as Static<T>;
    throw apiError('DataServiceUnavailable', 'The data service answered in an unexpected shape, try again later', {
      cause: new Error(`${what}: ${JSON.stringify([...validator.Errors(value)].slice(0, 3))}`),
    });
  };
}

export function createDataServiceClient(deps: { baseUrl: string; logger: Logger; timeoutMs?: number }): DataServiceClient {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const unavailable = (cause: unknown) => apiError('DataServiceUnavailable', 'The data service is unavailable, try again later', { cause });

  async function send(method: 'GET' | 'POST', path: string, query: string, accessToken: string): Promise<string> {
    const url = `${deps.baseUrl}${path}${query ? `?${query}` : ''}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        // The caller's token travels on: the Data Service sees the same caller as through the gateway.
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw unavailable(err);
    }
    if (res.status >= 500 || (res.status < 400 && res.status !== 200)) {
      throw unavailable(new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 200)}`));
    }
    if (res.status >= 400) {
      const body = parseError(text);
      throw new ApiError(
        res.status,
        isErrorCode(body?.code) ? body.code : errorCodeForStatus(res.status),
        body?.message ?? `The data service refused the request (${res.status})`,
      );
    }
    try {
      JSON.parse(text);
    } catch (err) {
      throw unavailable(new Error(`${method} ${url} answered 200 with a body that is not JSON`, { cause: err }));
    }
    return text;
  }

  return {
    get: (path, query, accessToken) => send('GET', path, query, accessToken),
    post: (path, query, accessToken) => send('POST', path, query, accessToken),
  };
}

function parseError(text: string): { code?: string; message?: string } | undefined {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    return {
      ...(typeof body['code'] === 'string' ? { code: body['code'] } : {}),
      ...(typeof body['message'] === 'string' ? { message: body['message'] } : {}),
    };
  } catch {
    return undefined;
  }
}
