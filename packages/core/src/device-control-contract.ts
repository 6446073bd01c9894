/**
 * The way back to the device, on the wire: its **configuration** (the desired and reported state
 * of its classic AWS IoT Device Shadow) and its **commands** (AWS IoT jobs, one execution per
 * device). The API Service answers these shapes, the web app shows them, and the simulator's
 * devices read `CommandDocument`s and the `deviceSettings` they know.
 */
import { Type, type Static } from 'typebox';
import { isTerminalExecutionStatus, jobExecutionStatuses, type JobExecutionStatus } from './iot-jobs.ts';
import { DeviceIdSchema } from './telemetry-contract.ts';

const isoTime = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description: `${description} (ISO 8601)` });

export const controlLimits = {
  /** Top-level keys of a configuration change; the shadow's own limits (8 KB state, depth 6) still apply. */
  maxConfigKeys: 32,
  /** Devices one command may target by id (a group targets more). */
  maxCommandTargets: 100,
  /** Commands answered per page of a device's history. */
  maxCommandsPage: 50,
  /** An execution still IN_PROGRESS this long after it started becomes TIMED_OUT (AWS: 1 minute to 7 days). */
  defaultCommandTimeoutMinutes: 10,
  maxCommandTimeoutMinutes: 7 * 24 * 60,
} as const;

/**
 * Settings the platform's devices understand (the simulator applies them; any other key is stored
 * and reported back as is, so a custom device can define its own).
 */
export const deviceSettings = {
  /** Seconds between two readings. */
  reportIntervalSeconds: { minimum: 0.01, maximum: 86_400 },
} as const;

/** A JSON object whose values a person chose: settings, command arguments, a device's answer. */
const JsonObject = (description: string, maxProperties: number) =>
  Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), {
    maxProperties,
    propertyNames: Type.String({ minLength: 1, maxLength: 128 }),
    description,
  });

/** `GET /api/devices/:id/config`: the device's classic shadow, seen as settings. */
export const DeviceConfigSchema = Type.Object(
  {
    deviceId: DeviceIdSchema,
    version: Type.Integer({ minimum: 0, description: "The shadow's version (0 before its first update); send it as `expectedVersion`" }),
    desired: JsonObject('What the device should apply', 1024),
    reported: JsonObject('What the device says it applied', 1024),
    pending: JsonObject('Desired values the device has not reported yet (the shadow delta)', 1024),
    desiredAt: Type.Optional(isoTime('Last change of a desired value')),
    reportedAt: Type.Optional(isoTime('Last report of the device')),
  },
  { title: 'DeviceConfig' },
);
export type DeviceConfig = Static<typeof DeviceConfigSchema>;

/** `PUT /api/devices/:id/config`: merges into `desired`; `null` removes a setting. */
export const DeviceConfigChangeSchema = Type.Object({
  desired: JsonObject('Settings to change; a null value removes one', controlLimits.maxConfigKeys),
  expectedVersion: Type.Optional(
    Type.Integer({ minimum: 1, description: 'Refused with ConfigVersionConflict when the shadow has moved on since this version' }),
  ),
});
export type DeviceConfigChange = Static<typeof DeviceConfigChangeSchema>;

export const CommandNameSchema = Type.String({
  pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$',
  maxLength: 64,
  description: 'Command name: `reboot`, `set-interval` (args `{ "seconds": n }`) or any a device understands',
  examples: ['reboot', 'set-interval'],
});

export const CommandArgsSchema = JsonObject('Command arguments (a JSON object)', 32);

/** What a device receives as its job document. */
export const CommandDocumentSchema = Type.Object({
  command: CommandNameSchema,
  args: CommandArgsSchema,
  issuedBy: Type.String({ maxLength: 128 }),
  issuedAt: isoTime('When the command was sent'),
});
export type CommandDocument = Static<typeof CommandDocumentSchema>;

/** The commands the platform's devices understand, with their arguments. */
export const knownCommands = {
  reboot: 'Disconnects, waits a moment, connects again',
  'set-interval': 'Sets `reportIntervalSeconds` to `args.seconds`',
  ping: 'Answers at once with the time on the device (`pong`)',
} as const;

/** A command's state on one device is its AWS IoT job execution's status (iot-jobs.ts). */
export const commandStatuses = jobExecutionStatuses;
export type CommandStatus = JobExecutionStatus;
export const CommandStatusSchema = Type.Enum(commandStatuses, { description: 'The AWS IoT job execution status' });

export function isCommandStatus(value: unknown): value is CommandStatus {
  return typeof value === 'string' && (commandStatuses as readonly string[]).includes(value);
}

/** Whether a command is over on its device: nothing changes it any more. */
export const isFinalCommandStatus = isTerminalExecutionStatus;

const CommandFields = {
  command: CommandNameSchema,
  args: CommandArgsSchema,
  timeoutMinutes: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: controlLimits.maxCommandTimeoutMinutes,
      description: `In progress longer than this: TIMED_OUT (default ${controlLimits.defaultCommandTimeoutMinutes})`,
    }),
  ),
};

/** `POST /api/devices/:id/commands`. */
export const DeviceCommandSchema = Type.Object({ ...CommandFields, args: Type.Optional(CommandArgsSchema) });
export type DeviceCommand = Static<typeof DeviceCommandSchema>;

/** `POST /api/commands`: one command to a list of devices or to an AWS IoT thing group. */
export const FleetCommandSchema = Type.Object({
  ...DeviceCommandSchema.properties,
  deviceIds: Type.Optional(Type.Array(DeviceIdSchema, { minItems: 1, maxItems: controlLimits.maxCommandTargets, uniqueItems: true })),
  group: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9:_-]{1,128}$', maxLength: 128, description: 'A thing group name' })),
});
export type FleetCommand = Static<typeof FleetCommandSchema>;

/** 202 of both send routes. */
export const CommandSentSchema = Type.Object({
  commandId: Type.String({ maxLength: 64, description: 'The AWS IoT job id' }),
  targets: Type.Array(Type.String({ maxLength: 2048 }), {
    maxItems: controlLimits.maxCommandTargets,
    description: 'Thing or thing group ARNs',
  }),
});
export type CommandSent = Static<typeof CommandSentSchema>;

/** One command as one device lives it (its job execution). */
export const CommandExecutionSchema = Type.Object(
  {
    commandId: Type.String({ maxLength: 64 }),
    deviceId: DeviceIdSchema,
    command: Type.Optional(CommandNameSchema),
    args: Type.Optional(CommandArgsSchema),
    issuedBy: Type.Optional(Type.String({ maxLength: 128 })),
    status: CommandStatusSchema,
    answer: Type.Optional(
      Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 1024 }), {
        maxProperties: 10,
        propertyNames: Type.String({ minLength: 1, maxLength: 128 }),
        description: "The device's status details (AWS: up to 10 string pairs)",
      }),
    ),
    queuedAt: isoTime('Queued'),
    startedAt: Type.Optional(isoTime('Started by the device')),
    updatedAt: isoTime('Last change'),
    executionNumber: Type.Optional(Type.Integer({ minimum: 1 })),
    versionNumber: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { title: 'CommandExecution' },
);
export type CommandExecution = Static<typeof CommandExecutionSchema>;

/** `GET /api/devices/:id/commands`: newest first. */
export const CommandExecutionPageSchema = Type.Object({
  items: Type.Array(CommandExecutionSchema, { maxItems: controlLimits.maxCommandsPage }),
  nextCursor: Type.Optional(Type.String({ maxLength: 1024 })),
});
export type CommandExecutionPage = Static<typeof CommandExecutionPageSchema>;

/** `GET /api/commands/:commandId`: the job, with the count of executions in each state. */
export const CommandSummarySchema = Type.Object(
  {
    commandId: Type.String({ maxLength: 64 }),
    command: Type.Optional(CommandNameSchema),
    args: Type.Optional(CommandArgsSchema),
    issuedBy: Type.Optional(Type.String({ maxLength: 128 })),
    status: Type.String({ maxLength: 32, description: 'The AWS IoT job status: IN_PROGRESS, CANCELED, COMPLETED, ...' }),
    targets: Type.Array(Type.String({ maxLength: 2048 }), { maxItems: controlLimits.maxCommandTargets }),
    createdAt: isoTime('Sent'),
    counts: Type.Record(Type.String({ maxLength: 32 }), Type.Integer({ minimum: 0 }), {
      maxProperties: commandStatuses.length,
      propertyNames: Type.String({ maxLength: 32 }),
      description: 'Executions per status',
    }),
  },
  { title: 'Command' },
);
export type CommandSummary = Static<typeof CommandSummarySchema>;

/** `POST .../cancel`. */
export const CommandCancelSchema = Type.Object({
  force: Type.Optional(Type.Boolean({ description: 'Also cancel executions already IN_PROGRESS (the device may be mid-way)' })),
});
export type CommandCancel = Static<typeof CommandCancelSchema>;

/** 204 of both cancel routes: no body. */
export const CommandCanceledSchema = Type.Null({ description: 'Canceled' });
