/**
 * `GET /api/overview`: the fleet as a whole for the page a person lands on (devices by status,
 * open alarms, readings and rejects per minute, recent dead letters). Any role that may read
 * devices; dead letters only for roles that may read them. A part whose source failed is answered
 * as unavailable inside a 200 (overview/overview-answer.ts), so this route has no 5xx of its own.
 */
import { errorResponses, OverviewSchema, overviewLimits, overviewPath, silentAfterMs } from '@fleet/core';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import type { DeviceScope } from '../auth/device-scope.ts';
import { bearer, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import { apiPath } from '../http/relay.ts';
import type { OverviewService } from '../overview/overview-answer.ts';

export interface OverviewRoutesDeps {
  readonly authorizer: Authorizer;
  readonly overview: OverviewService;
  readonly scope: Pick<DeviceScope, 'visible'>;
}

export function registerOverviewRoutes(app: TypedApp, deps: OverviewRoutesDeps): void {
  app.get(
    apiPath(overviewPath),
    {
      onRequest: deps.authorizer.require('readDevices'),
      schema: {
        tags: ['overview'],
        summary:
          'The fleet as a whole: devices online, offline and silent, open alarms, readings and rejects per minute, recent dead letters',
        description:
          `A device is silent when connected but no reading arrived for longer than ${silentAfterMs / 60_000} minutes. ` +
          `Readings and rejects are CloudWatch sums per minute over the last ${overviewLimits.minutes} minutes. ` +
          'Each part is `{ available: false, reason }` when its source failed; `deadLetters` is present only for roles that may read them. ' +
          'A user whose access is limited to thing groups sees the counts and alarms of their devices, not the fleet-wide throughput nor dead letters.',
        security: bearer,
        querystring: StrictObject({}),
        response: { 200: OverviewSchema, ...errorResponses(...permissionErrors, 'ValidationError') },
      },
    },
    async (request) => {
      const caller = authOf(request);
      return deps.overview.answer(caller, await deps.scope.visible(caller));
    },
  );
}
