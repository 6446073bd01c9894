/**
 * The audit trail and the revoked devices on the wire. The API Service writes one audit entry for
 * every mutating call under `/api` (POST, PUT, PATCH, DELETE; success or refusal) from one hook, and
 * keeps a record of every revoked device; admins read both (`readAudit`). Stored in the API-owned
 * table `fleet-audit` (resources.ts `auditTable`), entries for `auditRetentionDays`.
 */
import { Type, type Static } from 'typebox';
import { RoleSchema } from '../user-contract.ts';
import { DeviceIdSchema } from '../telemetry-contract.ts';

const isoTime = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description: `${description} (ISO 8601)` });

/** Paths of the Admin area's reads. */
export const auditPaths = {
  audit: '/api/audit',
  revokedDevices: '/api/devices/revoked',
} as const;

/** Limits of the audit routes and of what an entry holds. */
export const auditLimits = {
  /** Entries per page. */
  maxPage: 100,
  defaultPage: 50,
  /** A range without `from` reaches this many days back. */
  defaultRangeDays: 30,
  /**
   * Day partitions one request reads at most: a page over a long, sparse range answers what it
   * found with a cursor instead of making hundreds of Queries in one call.
   */
  maxDaysPerPage: 62,
  maxCursorLength: 512,
  /** Filters, and the stored target id and path (they may quote what a client sent). */
  maxFilterLength: 128,
  maxTargetLength: 256,
  maxActionNameLength: 80,
} as const;

/** Who made the call: absent parts were not known (no valid token; the user pool did not answer). */
export const AuditActorSchema = Type.Object({
  sub: Type.Union([Type.String({ maxLength: 128 }), Type.Null()], { description: "The user's `sub`; null without a valid token" }),
  username: Type.Union([Type.String({ maxLength: 128 }), Type.Null()]),
  email: Type.Union([Type.String({ maxLength: 254 }), Type.Null()], { description: 'From the user pool; null when not known' }),
  role: Type.Union([RoleSchema, Type.Null()], { description: 'The role the access token carried' }),
});
export type AuditActor = Static<typeof AuditActorSchema>;

/** What the call was aimed at, from its route parameters: `{ type: 'device', id: 'sensor-1' }`. */
export const AuditTargetSchema = Type.Object({
  type: Type.String({ maxLength: 64, description: 'The collection of the route: devices, users, rules, …' }),
  id: Type.String({ maxLength: auditLimits.maxTargetLength, description: "The route's parameters, joined by /" }),
  label: Type.Optional(
    Type.String({ maxLength: 254, description: "A readable name of the target, when read: a user's email (their username is a uuid)" }),
  ),
});
export type AuditTarget = Static<typeof AuditTargetSchema>;

/** One audit entry. */
export const AuditEntrySchema = Type.Object(
  {
    time: isoTime('When the answer was sent'),
    actor: AuditActorSchema,
    action: Type.String({
      maxLength: 300,
      description: 'Method and route pattern, e.g. `PUT /api/users/:username/role`; `POST (no route)` when none matched',
    }),
    actionName: Type.String({ maxLength: auditLimits.maxActionNameLength, description: "Readable, from the route's summary" }),
    target: Type.Union([AuditTargetSchema, Type.Null()]),
    outcome: Type.Integer({ minimum: 100, maximum: 599, description: 'The HTTP status answered' }),
    requestId: Type.String({ maxLength: 128 }),
    sourceIp: Type.String({ maxLength: 64, description: 'The client address (the first X-Forwarded-For hop behind the load balancer)' }),
  },
  { title: 'AuditEntry' },
);
export type AuditEntry = Static<typeof AuditEntrySchema>;

/** `GET /api/audit`: newest first. */
export const AuditQuerySchema = Type.Object(
  {
    from: Type.Optional(isoTime(`Oldest time; default ${auditLimits.defaultRangeDays} days before \`to\``)),
    to: Type.Optional(isoTime('Newest time; default now')),
    user: Type.Optional(
      Type.String({ minLength: 1, maxLength: auditLimits.maxFilterLength, description: 'Part of the username or email, or the exact sub' }),
    ),
    action: Type.Optional(
      Type.String({ minLength: 1, maxLength: auditLimits.maxFilterLength, description: 'Part of the action or its readable name' }),
    ),
    target: Type.Optional(
      Type.String({ minLength: 1, maxLength: auditLimits.maxFilterLength, description: "Part of the target's id or label" }),
    ),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: auditLimits.maxCursorLength })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: auditLimits.maxPage, default: auditLimits.defaultPage })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuerySchema>;

const nextCursor = Type.Optional(
  Type.String({
    maxLength: auditLimits.maxCursorLength,
    description:
      'Absent when the range is read to its end; pass it as `cursor` (a page may hold fewer entries than asked and still have one)',
  }),
);

export const AuditPageSchema = Type.Object({
  entries: Type.Array(AuditEntrySchema, { maxItems: auditLimits.maxPage }),
  nextCursor,
});
export type AuditPage = Static<typeof AuditPageSchema>;

/** A revoked device's record: what it was and who revoked it when. */
export const RevokedDeviceSchema = Type.Object(
  {
    deviceId: DeviceIdSchema,
    name: Type.String({ maxLength: 128 }),
    certificateId: Type.String({ maxLength: 64 }),
    registeredAt: isoTime('When it was registered'),
    revokedAt: isoTime('When it was revoked'),
    revokedBy: AuditActorSchema,
  },
  { title: 'RevokedDevice' },
);
export type RevokedDevice = Static<typeof RevokedDeviceSchema>;

export const RevokedDeviceQuerySchema = Type.Object(
  {
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: auditLimits.maxCursorLength })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: auditLimits.maxPage, default: auditLimits.defaultPage })),
  },
  { additionalProperties: false },
);

/** `GET /api/devices/revoked`: newest first. */
export const RevokedDevicePageSchema = Type.Object({
  devices: Type.Array(RevokedDeviceSchema, { maxItems: auditLimits.maxPage }),
  nextCursor,
});
export type RevokedDevicePage = Static<typeof RevokedDevicePageSchema>;
