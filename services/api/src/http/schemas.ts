/**
 * Request and response schemas shared by several routes. One TypeBox schema gives validation,
 * serialization (unknown fields never leak), the OpenAPI document and the handler's types.
 */
import { deviceIdPattern, type Role } from '@fleet/core';
import { Type, type Static } from 'typebox';
import { ErrorBody } from '../errors.ts';

export const DeviceId = Type.String({
  pattern: deviceIdPattern.source,
  description: 'Device id, also the AWS IoT thing name and the MQTT client id',
  examples: ['greenhouse-sensor-k3x9q2'],
});

export const DeviceParams = Type.Object({ id: DeviceId });

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
export const errorResponses = (...statuses: (400 | 401 | 403 | 404 | 409 | 502)[]) =>
  Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<number, typeof ErrorBody>;

/** The OpenAPI security requirement of routes that need an access token. */
export const bearer = [{ bearerAuth: [] }];

/** A role (see `roles` in core); the literals are spelled out so that TypeBox infers the union. */
export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('operator'), Type.Literal('viewer')]);
// Fails to compile when core's roles and this schema drift apart.
const sameRoles: [Role, Static<typeof RoleSchema>] extends [Static<typeof RoleSchema>, Role] ? true : never = true;
void sameRoles;
