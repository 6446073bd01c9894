/**
 * Request schemas shared by several routes, and the error codes routes document. The answers are
 * the contracts of `@fleet/core` (device, telemetry, user, dead-letter, error): one TypeBox schema
 * gives validation, serialization (unknown fields never leak), the OpenAPI document and the
 * handler's types.
 */
import { DeviceIdSchema, type ErrorCode } from '@fleet/core';
import { Type, type TProperties } from 'typebox';
import { dataServiceErrors } from '../telemetry/data-service-errors.ts';

/**
 * An object of the request (body, query string, path): unknown fields are refused with a 400
 * naming them, never dropped or passed on.
 */
export const StrictObject = <T extends TProperties>(properties: T, options: { description?: string } = {}) =>
  Type.Object(properties, { ...options, additionalProperties: false });

export const DeviceParams = StrictObject({ id: DeviceIdSchema });

/**
 * What any route with an access-token check may answer besides its own codes: no or a bad token
 * (401), tokens that cannot be verified now (503), a fault (500).
 */
export const tokenErrors = ['Unauthorized', 'AuthUnavailable', 'InternalError'] as const satisfies readonly ErrorCode[];

/** ... and with a permission to check: a role without it (403). */
export const permissionErrors = [...tokenErrors, 'Forbidden'] as const satisfies readonly ErrorCode[];

/** ... and reaching the whole fleet: a caller whose access is limited to thing groups (403 OutsideDeviceAccess, auth/device-scope.ts). */
export const fleetWideErrors = [...permissionErrors, 'OutsideDeviceAccess'] as const satisfies readonly ErrorCode[];

/** The error codes of a route with a path parameter: not valid (400 ValidationError) or not even percent-encoding (400 MalformedRequest). */
export const paramErrors = ['ValidationError', 'MalformedRequest'] as const satisfies readonly ErrorCode[];

/** The error codes of a route that takes a JSON body (it may be malformed, too large, not JSON or not valid). */
export const bodyErrors = [
  'ValidationError',
  'MalformedRequest',
  'PayloadTooLarge',
  'UnsupportedMediaType',
] as const satisfies readonly ErrorCode[];

/** The codes of a route that relays to the Data Service (its errors mapped into ours). */
export { dataServiceErrors };

/** What the OpenAPI document says about a route's body limit. */
export const bodyLimitNote = (bytes: number) =>
  `The JSON body (UTF-8) may be at most ${bytes / 1024} KiB; a larger one answers 413 PayloadTooLarge.`;

/** The OpenAPI security requirement of routes that need an access token. */
export const bearer = [{ bearerAuth: [] }];
