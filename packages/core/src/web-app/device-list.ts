/**
 * The device list at fleet scale: `GET /api/devices` searches, filters, sorts and pages on the
 * server, and `POST /api/devices/bulk` acts on many devices in one call with a result per device.
 * The bounds live here so the API, the web app and the tests agree on them.
 */
import { Type, type Static } from 'typebox';
import { DeviceCommandSchema } from '../device-control-contract.ts';
import { deviceLimits } from '../device-contract.ts';
import { DeviceIdSchema } from '../telemetry-contract.ts';
import { AttributeFilterSchema } from '../thing-attributes.ts';
import { DeviceStatusSchema } from './device-status.ts';

export const deviceListLimits = {
  /** Characters of a search (`q`). */
  maxQueryLength: 128,
  /**
   * Attribute conditions of one filter (`attribute`, repeated). AWS IoT's ListThings takes one; a
   * handful covers a site, a model and a firmware, and the bound keeps a query string short.
   */
  maxAttributeFilters: 10,
  /**
   * Devices one bulk call acts on. A revocation costs five IoT control-plane calls, and AWS IoT
   * throttles UpdateCertificate and DeleteCertificate at 10 per second per account
   * (https://docs.aws.amazon.com/general/latest/gr/iot-core.html#throttling-limits): 100 devices
   * take about 10 s, within API Gateway's 30 s integration timeout.
   */
  maxBulkDevices: 100,
  /** Devices acted on at once within a bulk call. */
  bulkConcurrency: 8,
} as const;

export const deviceSorts = ['registeredAt', 'name', 'lastSeen'] as const;
export type DeviceSort = (typeof deviceSorts)[number];
export const sortOrders = ['asc', 'desc'] as const;
export type SortOrder = (typeof sortOrders)[number];

/** A thing group name, as AWS IoT allows it. */
export const thingGroupNamePattern = '^[a-zA-Z0-9:_-]{1,128}$';
export const ThingGroupNameSchema = Type.String({
  pattern: thingGroupNamePattern,
  maxLength: 128,
  description: 'A thing group name',
});

/**
 * Which devices: a search over id, name and attribute values, a connectivity, a thing group, thing
 * attributes (all optional, combined with AND; every attribute condition must hold).
 */
export const DeviceFilterSchema = Type.Object({
  q: Type.Optional(
    Type.String({
      maxLength: deviceListLimits.maxQueryLength,
      description: "Case-insensitive text in the device id, its name or one of its attributes' values (Fleet's `owner` id aside)",
    }),
  ),
  status: Type.Optional(DeviceStatusSchema),
  group: Type.Optional(ThingGroupNameSchema),
  attribute: Type.Optional(
    Type.Array(AttributeFilterSchema, {
      minItems: 1,
      maxItems: deviceListLimits.maxAttributeFilters,
      description: 'Thing attribute conditions, all of which must hold: `attribute=site=lyon&attribute=floor` (repeat the parameter)',
    }),
  ),
});
export type DeviceFilter = Static<typeof DeviceFilterSchema>;

/** The query string of `GET /api/devices`. Without `sort` the list is in registration order, as before these options. */
export const DeviceListQuerySchema = Type.Object({
  ...DeviceFilterSchema.properties,
  sort: Type.Union([Type.Literal('registeredAt'), Type.Literal('name'), Type.Literal('lastSeen')], {
    default: 'registeredAt',
    description: 'registeredAt; name; lastSeen (the last lifecycle event or reading)',
  }),
  order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
  limit: Type.Integer({ minimum: 1, maximum: deviceLimits.maxPage, default: 50 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: deviceLimits.maxCursorLength })),
});
export type DeviceListQuery = Static<typeof DeviceListQuerySchema>;

export const bulkActions = ['revoke', 'command', 'addToGroup'] as const;
export type BulkAction = (typeof bulkActions)[number];
const BulkActionSchema = Type.Union([Type.Literal('revoke'), Type.Literal('command'), Type.Literal('addToGroup')]);

/**
 * `POST /api/devices/bulk`: an action on the devices named (`deviceIds`) or on every device a
 * filter matches (`match`: "select all N matching"), at most `maxBulkDevices` either way.
 * `command` goes with action `command`, `group` with `addToGroup`.
 */
export const DeviceBulkInputSchema = Type.Object({
  action: BulkActionSchema,
  deviceIds: Type.Optional(Type.Array(DeviceIdSchema, { minItems: 1, maxItems: deviceListLimits.maxBulkDevices, uniqueItems: true })),
  match: Type.Optional(DeviceFilterSchema),
  command: Type.Optional(DeviceCommandSchema),
  group: Type.Optional(ThingGroupNameSchema),
});
export type DeviceBulkInput = Static<typeof DeviceBulkInputSchema>;

/** What happened to one device of a bulk call. */
export const DeviceBulkResultSchema = Type.Object({
  deviceId: DeviceIdSchema,
  ok: Type.Boolean(),
  /** The error code and message when it failed (the ones the single-device route would answer). */
  code: Type.Optional(Type.String({ maxLength: 64 })),
  message: Type.Optional(Type.String({ maxLength: 1024 })),
  commandId: Type.Optional(Type.String({ maxLength: 64, description: 'The AWS IoT job of action command' })),
});
export type DeviceBulkResult = Static<typeof DeviceBulkResultSchema>;

export const DeviceBulkAnswerSchema = Type.Object({
  action: BulkActionSchema,
  succeeded: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
  results: Type.Array(DeviceBulkResultSchema, { maxItems: deviceListLimits.maxBulkDevices }),
});
export type DeviceBulkAnswer = Static<typeof DeviceBulkAnswerSchema>;

/** `GET /api/thing-groups`: the account's thing groups, for pickers (device list filter, access grants, registration). */
export const thingGroupsPath = '/api/thing-groups';

/** Thing groups one answer lists (Fleet's groups are made by hand: a few dozen, not thousands). */
export const maxListedThingGroups = 1000;

export const ThingGroupListSchema = Type.Object({
  groups: Type.Array(ThingGroupNameSchema, {
    maxItems: maxListedThingGroups,
    description: 'Names in alphabetical order; for a user whose access is limited to thing groups, only theirs',
  }),
});
export type ThingGroupList = Static<typeof ThingGroupListSchema>;
