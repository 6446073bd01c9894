/**
 * Dead letters: readings the Data Service rejected (with the reason) and messages the IoT rule's
 * error action saved. Listing is for operators; replaying re-queues the rule's dead letters and is
 * for admins. The Data Service serves replay on an internal path that the gateway never routes
 * (only `/data/*` reaches load balancer 3 from outside), so this role check cannot be bypassed.
 */
import { Type } from 'typebox';
import type { Authorizer } from '../auth/authorize.ts';
import { authOf } from '../auth/authorize.ts';
import { bearer, errorResponses, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';

export interface DeadLetterRoutesDeps {
  readonly authorizer: Authorizer;
  readonly dataService: DataServiceClient;
}

const Passthrough = Type.Object({}, { additionalProperties: true, description: "The Data Service's answer, relayed as is" });
const Limit = StrictObject({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) });

/** The Data Service's replay route: internal, reached over load balancer 3 only. */
export const dataServiceReplayPath = '/internal/dead-letters/replay';

export function registerDeadLetterRoutes(app: TypedApp, deps: DeadLetterRoutesDeps): void {
  const queryOf = (url: string) => (url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');

  app.get(
    '/api/dead-letters',
    {
      onRequest: deps.authorizer.require('readDeadLetters'),
      schema: {
        tags: ['dead letters'],
        summary: 'Recent dead letters with the reason each was rejected',
        security: bearer,
        querystring: Limit,
        response: { 200: Passthrough, ...errorResponses(400, 401, 403, 502) },
      },
    },
    async (request, reply) => {
      const json = await deps.dataService.get('/data/dead-letters', queryOf(request.url), authOf(request).accessToken);
      return reply.type('application/json; charset=utf-8').send(json as unknown as Record<string, unknown>);
    },
  );

  app.post(
    '/api/dead-letters/replay',
    {
      onRequest: deps.authorizer.require('replayDeadLetters'),
      schema: {
        tags: ['dead letters'],
        summary: "Re-queue the IoT rule's dead letters onto the ingest queue",
        security: bearer,
        querystring: Limit,
        response: { 200: Passthrough, ...errorResponses(400, 401, 403, 502) },
      },
    },
    async (request, reply) => {
      const json = await deps.dataService.post(dataServiceReplayPath, queryOf(request.url), authOf(request).accessToken);
      return reply.type('application/json; charset=utf-8').send(json as unknown as Record<string, unknown>);
    },
  );
}
