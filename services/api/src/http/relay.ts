/**
 * What the routes that relay to the Data Service share: the same path under `/api` and `/data`,
 * the caller's query string and token passed on unchanged, and the dependencies such a route needs
 * to check what only the API knows (the registry's devices, IoT's thing groups) before relaying.
 */
import type { FastifyRequest } from 'fastify';
import type { Authorizer } from '../auth/authorize.ts';
import { authOf } from '../auth/authorize.ts';
import type { DeviceScope } from '../auth/device-scope.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';

export interface RelayRoutesDeps {
  readonly authorizer: Authorizer;
  /** The registered devices the caller may reach (access by group). */
  readonly scope: DeviceScope;
  /** Answers the group's ARN, or throws GroupNotFound (command-jobs.ts). */
  readonly groupArn: (group: string) => Promise<string>;
  readonly dataService: DataServiceClient;
}

/** A shared path (`@fleet/core`'s alarmPaths, dataLifePaths) as the API serves it. */
export const apiPath = (path: string) => `/api${path}`;
/** ... and as the Data Service serves it. */
export const dataPath = (path: string) => `/data${path}`;

/** The request's query string without its `?` ('' without one), relayed as the caller wrote it. */
export const queryOf = (request: FastifyRequest) => (request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '');

/** The caller's access token, relayed so the Data Service sees the same caller as through the gateway. */
export const tokenOf = (request: FastifyRequest) => authOf(request).accessToken;
