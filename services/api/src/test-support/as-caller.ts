/**
 * Requests to the API as one caller: every call carries the caller's `Authorization` header, and a
 * body where the method takes one. Tests then say what they ask (`put('/api/users/bob/role', …)`)
 * instead of repeating the whole `inject` options object for each request.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export interface ApiCaller {
  get(url: string): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
  post(url: string, payload: object): Promise<LightMyRequestResponse>;
  put(url: string, payload: object): Promise<LightMyRequestResponse>;
}

/** `authorization` is the whole header value (`Bearer …`), as a test has it from `bearer()` or a sign-in. */
export function asCaller(app: FastifyInstance, authorization: string): ApiCaller {
  const headers = { authorization };
  return {
    get: (url) => app.inject({ method: 'GET', url, headers }),
    delete: (url) => app.inject({ method: 'DELETE', url, headers }),
    post: (url, payload) => app.inject({ method: 'POST', url, headers, payload }),
    put: (url, payload) => app.inject({ method: 'PUT', url, headers, payload }),
  };
}
