/**
 * Dead letters: readings the Data Service rejected (with the reason), and what waits to be replayed
 * onto the ingest queue — messages the IoT rule's error action saved in S3 and messages in the
 * ingest dead-letter queue. Listing is for operators; replaying both kinds is for admins. The Data
 * Service serves replay on an internal path that the gateway never routes (only `/data/*` reaches
 * load balancer 3 from outside), so this role check cannot be bypassed. The answers are the wire
 * shapes of `@fleet/core` (dead-letter-contract.ts): parsed and serialized by them, so a field the
 * contract does not name never leaks.
 */
import { DeadLetterOverviewSchema, DeadLetterReplayResultSchema, errorResponses, maxDeadLettersPerPage } from '@fleet/core';
import { Type } from 'typebox';
import type { Authorizer } from '../auth/authorize.ts';
import { authOf } from '../auth/authorize.ts';
import { bearer, bodyErrors, dataServiceErrors, fleetWideErrors, StrictObject } from '../http/schemas.ts';
import { wholeFleetOnly } from '../auth/device-scope.ts';
import type { TypedApp } from '../http/typed-app.ts';
import { queryOf } from '../http/relay.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';

export interface DeadLetterRoutesDeps {
  readonly authorizer: Authorizer;
  readonly dataService: DataServiceClient;
}

const Limit = StrictObject({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxDeadLettersPerPage })) });

/** The Data Service's replay route: internal, reached over load balancer 3 only. */
export const dataServiceReplayPath = '/internal/dead-letters/replay';

export function registerDeadLetterRoutes(app: TypedApp, deps: DeadLetterRoutesDeps): void {
  const fleetOnly = wholeFleetOnly('Dead letters (they hold messages of any device)');
  app.get(
    '/api/dead-letters',
    {
      onRequest: [deps.authorizer.require('readDeadLetters'), fleetOnly],
      schema: {
        tags: ['dead letters'],
        summary: 'Recent dead letters with the reason each was rejected, and how many messages wait for replay',
        security: bearer,
        querystring: Limit,
        response: { 200: DeadLetterOverviewSchema, ...errorResponses(...fleetWideErrors, 'ValidationError', ...dataServiceErrors) },
      },
    },
    async (request) =>
      deps.dataService.get(DeadLetterOverviewSchema, {
        path: '/data/dead-letters',
        query: queryOf(request),
        accessToken: authOf(request).accessToken,
      }),
  );

  app.post(
    '/api/dead-letters/replay',
    {
      onRequest: [deps.authorizer.require('replayDeadLetters'), fleetOnly],
      schema: {
        tags: ['dead letters'],
        summary: "Put the IoT rule's saved messages and the ingest dead-letter queue back onto the ingest queue",
        description:
          'Re-queues up to `limit` error-action objects and starts a message move task of the dead-letter queue, ' +
          'waiting up to 5 s for it; answers what each moved. Replayed readings are stored once.',
        security: bearer,
        querystring: Limit,
        // No body is read, but one sent is parsed (and refused) as on every POST.
        response: { 200: DeadLetterReplayResultSchema, ...errorResponses(...fleetWideErrors, ...bodyErrors, ...dataServiceErrors) },
      },
    },
    async (request) =>
      deps.dataService.post(DeadLetterReplayResultSchema, {
        path: dataServiceReplayPath,
        query: queryOf(request),
        accessToken: authOf(request).accessToken,
      }),
  );
}
