/**
 * `GET /api/devices/root-ca.pem`: the root CA a device trusts, as the deployment configured it
 * (`iotCaUrl`: Amazon Root CA 1 on AWS, the local CA locally), from the web app's own origin so that
 * a browser saves it under the name the `mosquitto_pub` command uses (it ignores a download name on
 * another origin's link). The PEM is public and the same for everyone, yet it stays behind the
 * authorizer like the other device routes: on AWS every `/api/*` route passes the HTTP API's JWT
 * authorizer anyway, and a caller who can see devices is the only one who needs it.
 */
import { errorResponses, rootCaFileName, rootCaPath } from '@fleet/core';
import { Type } from 'typebox';
import type { Authorizer } from '../auth/authorize.ts';
import { bearer, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';

export interface RootCaRoutesDeps {
  readonly authorizer: Authorizer;
  /** The PEM, fetched once from the configured URL (`devices/root-ca.ts`); 503 ServiceUnavailable when it cannot be. */
  readonly rootCaPem: () => Promise<string>;
}

/** A root CA certificate is ≈ 1.2–2 KB of PEM; a bundle of a few stays far below this. */
const maxPemLength = 64 * 1024;

/** A browser (and a proxy) may reuse it for a day: the deployment's CA changes only with a new deployment. */
const cacheControl = 'private, max-age=86400';

export function registerRootCaRoutes(app: TypedApp, deps: RootCaRoutesDeps): void {
  app.get(
    rootCaPath,
    {
      onRequest: deps.authorizer.require('readDevices'),
      schema: {
        tags: ['devices'],
        summary: `The root CA of the IoT endpoint's server certificate, as the PEM file devices pass as --cafile ${rootCaFileName}`,
        description:
          "The PEM (`application/x-pem-file`) of the CA that signs the IoT endpoint's server certificate, fetched from the URL the " +
          'deployment configured (the `caUrl` of the credentials answers): Amazon Root CA 1 on AWS, the local CA locally. It answers ' +
          '503 ServiceUnavailable while that URL cannot be fetched.',
        security: bearer,
        querystring: StrictObject({}),
        response: {
          200: Type.String({ maxLength: maxPemLength, description: 'application/x-pem-file: one or more PEM certificates' }),
          ...errorResponses(...permissionErrors, 'ValidationError', 'ServiceUnavailable'),
        },
      },
    },
    async (_request, reply) => {
      const pem = await deps.rootCaPem();
      return reply
        .header('content-type', 'application/x-pem-file')
        .header('content-disposition', `attachment; filename="${rootCaFileName}"`)
        .header('cache-control', cacheControl)
        .send(pem);
    },
  );
}
