/**
 * Request and response schemas shared by several routes. One TypeBox schema gives validation,
 * serialization (unknown fields never leak), the OpenAPI document and the handler's types.
 */
import { deviceIdPattern, type Permission, type Role } from '@fleet/core';
import { Type, type Static, type TProperties } from 'typebox';
import { ErrorBody } from '../errors.ts';

/**
 * An object of the request (body, query string, path): unknown fields are refused with a 400
 * naming them, never dropped or passed on.
 */
export const StrictObject = <T extends TProperties>(properties: T, options: { description?: string } = {}) =>
  Type.Object(properties, { ...options, additionalProperties: false });

export const DeviceId = Type.String({
  pattern: deviceIdPattern.source,
  maxLength: 64,
  description: 'Device id, also the AWS IoT thing name and the MQTT client id',
  examples: ['greenhouse-sensor-k3x9q2'],
});

export const DeviceParams = StrictObject({ id: DeviceId });

export const LatestReading = Type.Object({
  ts: Type.Number({ description: 'Device time, epoch milliseconds' }),
  seq: Type.Number(),
  values: Type.Record(Type.String(), Type.Number()),
  receivedAt: Type.Optional(Type.Number({ description: 'Broker receive time, epoch milliseconds' })),
});

export const Device = Type.Object({
  deviceId: DeviceId,
  name: Type.String(),
  ownerId: Type.String(),
  ownerName: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  certificateArn: Type.String(),
  certificateId: Type.String(),
  status: Type.Literal('active'),
  online: Type.Boolean({ description: 'Connected to IoT Core, from lifecycle events' }),
  lastSeenAt: Type.Optional(Type.String({ format: 'date-time' })),
  connectedAt: Type.Optional(Type.String({ format: 'date-time' })),
  disconnectReason: Type.Optional(Type.String()),
  latest: Type.Optional(LatestReading),
});

/** Error responses documented on routes; the shape is the same for every status. */
export const errorResponses = (...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 502 | 503)[]) =>
  Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<number, typeof ErrorBody>;

/** The error responses of every route that takes a JSON body (it may be malformed, too large or not JSON). */
export const bodyErrors = [400, 413, 415] as const;

/** What the OpenAPI document says about a route's body limit. */
export const bodyLimitNote = (bytes: number) =>
  `The JSON body (UTF-8) may be at most ${bytes / 1024} KiB; a larger one answers 413 PayloadTooLarge.`;

/** The OpenAPI security requirement of routes that need an access token. */
export const bearer = [{ bearerAuth: [] }];

/** A role (see `roles` in core); the literals are spelled out so that TypeBox infers the union. */
export const roleSchema = (options: { description?: string } = {}) =>
  Type.Union([Type.Literal('admin'), Type.Literal('operator'), Type.Literal('viewer')], options);
export const RoleSchema = roleSchema();
// Fails to compile when core's roles and this schema drift apart.
const sameRoles: [Role, Static<typeof RoleSchema>] extends [Static<typeof RoleSchema>, Role] ? true : never = true;
void sameRoles;

/** Something a role allows (see `permissions` in core), spelled out for TypeBox like the roles. */
export const PermissionSchema = Type.Union(
  [
    Type.Literal('readDevices'),
    Type.Literal('manageDevices'),
    Type.Literal('manageUsers'),
    Type.Literal('readDeadLetters'),
    Type.Literal('replayDeadLetters'),
  ],
  { description: 'Something the role allows' },
);
const samePermissions: [Permission, Static<typeof PermissionSchema>] extends [Static<typeof PermissionSchema>, Permission] ? true : never =
  true;
void samePermissions;
