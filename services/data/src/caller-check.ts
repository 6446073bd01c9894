/**
 * Who may call the Data Service: the same judgement as the API Service's (`checkBearer` of
 * `@fleet/core/tokens`: a Cognito access token of the pool and app client, the role its groups give,
 * the permission the route needs), in both runtimes. On AWS load balancer 3 is reached through API
 * Gateway's `/data/*` route (Cognito authorizer) and by the API Service; locally its port is open
 * on the machine. Either way nothing but `/data/health` answers without a token, and replay
 * (a state change) needs the admin's token, which the API Service forwards from its caller.
 */
import { deviceAccessOf, errorCodes, type ErrorCode, type Permission } from '@fleet/core';
import { checkBearer, type Caller, type TokenVerifier } from '@fleet/core/tokens';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The codes every route behind a caller check may answer besides its own: no token, too small a role, no JWKS, a fault. */
export const callerErrors = ['Unauthorized', 'Forbidden', 'AuthUnavailable', 'InternalError'] as const satisfies readonly ErrorCode[];

export interface CallerCheckOptions {
  /**
   * The route reads the whole fleet and cannot leave devices out (dead letters, usage, data jobs):
   * a caller granted only some thing groups (device-access.ts) is refused with 403 `Forbidden`.
   */
  readonly fleetWide?: boolean;
}

/** A route's caller check for a permission (`requireCaller` bound to the service's verifier). */
export type RequireCaller = (permission: Permission, options?: CallerCheckOptions) => ReturnType<typeof requireCaller>;

/** The callers of requests that passed their check, for handlers that record who acted. */
const callers = new WeakMap<FastifyRequest, Caller>();

/** The caller of a request behind `requireCaller` (a route without the hook has none: a bug). */
export function callerOf(request: FastifyRequest): Caller {
  const caller = callers.get(request);
  if (!caller) throw new Error(`no caller checked for ${request.method} ${request.url}`);
  return caller;
}

/** A Fastify `onRequest` hook requiring a valid access token whose role has `permission`. */
export function requireCaller(verifier: TokenVerifier, permission: Permission, options: CallerCheckOptions = {}) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const result = await checkBearer(verifier, request.headers.authorization, permission);
    if (result.ok) {
      const access = options.fleetWide ? deviceAccessOf(result.caller.groups) : undefined;
      if (access?.kind === 'groups') {
        await reply.code(errorCodes.Forbidden).send({
          code: 'Forbidden',
          message: `${request.method} ${request.routeOptions.url ?? request.url} reads the whole fleet; a user granted only the thing groups ${access.groups.join(', ')} may not call it`,
        });
        return;
      }
      callers.set(request, result.caller);
      return;
    }
    if (result.detail) request.log.info({ code: result.code, detail: result.detail }, 'caller refused');
    await reply.code(errorCodes[result.code]).headers(result.headers).send({ code: result.code, message: result.message });
  };
}
