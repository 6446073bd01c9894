/**
 * The way back to a device: its configuration (desired vs reported, its classic shadow) and its
 * commands (AWS IoT jobs, durable: a device that is offline gets them when it connects). Reading
 * needs `readDevices`, changing and commanding `manageDevices`.
 */
import {
  bodyLimits,
  CommandCancelSchema,
  CommandCanceledSchema,
  CommandExecutionPageSchema,
  CommandSentSchema,
  CommandSummarySchema,
  controlLimits,
  DeviceCommandSchema,
  DeviceConfigChangeSchema,
  DeviceConfigSchema,
  errorResponses,
  FleetCommandSchema,
  type CommandDocument,
  type CommandSent,
  type CommandSummary,
  type DeviceCommand,
} from '@fleet/core';
import type { Caller } from '@fleet/core/tokens';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import { type DeviceScope, requireGroup, mayUseGroup } from '../auth/device-scope.ts';
import type { CommandJobs } from '../control/command-jobs.ts';
import type { DeviceConfigStore } from '../control/device-config.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, DeviceParams, paramErrors, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';

export interface DeviceControlDeps {
  readonly authorizer: Authorizer;
  /** Which devices the caller may reach: a device outside answers as one not registered. */
  readonly scope: DeviceScope;
  readonly config: DeviceConfigStore;
  readonly commands: CommandJobs;
}

const CommandIdSchema = Type.String({ pattern: '^[a-zA-Z0-9_-]{1,64}$', maxLength: 64, description: 'The AWS IoT job id' });
const CommandParams = StrictObject({ commandId: CommandIdSchema });
const DeviceCommandParams = StrictObject({ ...DeviceParams.properties, commandId: CommandIdSchema });
const HistoryQuery = StrictObject({
  limit: Type.Integer({ minimum: 1, maximum: controlLimits.maxCommandsPage, default: 20 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
});

export function registerDeviceControlRoutes(app: TypedApp, deps: DeviceControlDeps): void {
  const { authorizer, scope, config, commands } = deps;
  const requireDevice = (request: FastifyRequest, deviceId: string) => scope.requireDevice(authOf(request), deviceId);
  /**
   * For a scoped caller, 404 CommandNotFound unless they may reach every target of the command: a
   * command id says nothing of devices outside their access.
   */
  const checkInReach = async (caller: Caller, summary: CommandSummary): Promise<CommandSummary> => {
    if (scope.accessOf(caller).kind === 'all') return summary;
    for (const target of summary.targets) {
      const { kind, name } = targetOf(target);
      const inReach = kind === 'thing' ? await scope.includes(caller, name) : kind === 'thinggroup' && mayUseGroup(caller, name);
      if (!inReach) throw apiError('CommandNotFound', `No command "${summary.commandId}"`);
    }
    return summary;
  };

  /** Creates the command's job on its targets (thing or thing group ARNs): the 202 of both send routes. */
  const send = async (request: FastifyRequest<{ Body: DeviceCommand }>, targets: string[]): Promise<CommandSent> => {
    const { body } = request;
    const caller = authOf(request);
    const document: CommandDocument = {
      command: body.command,
      args: body.args ?? {},
      issuedBy: caller.username,
      issuedAt: new Date().toISOString(),
    };
    const timeoutMinutes = body.timeoutMinutes ?? controlLimits.defaultCommandTimeoutMinutes;
    const commandId = await commands.send({ document, targets, timeoutMinutes });
    request.log.info({ commandId, command: body.command, targets, by: caller.sub }, 'command sent');
    return { commandId, targets };
  };

  app.get(
    '/api/devices/:id/config',
    {
      onRequest: authorizer.require('readDevices'),
      schema: {
        tags: ['control'],
        summary: "A device's configuration: desired, reported and pending settings (its classic shadow)",
        security: bearer,
        params: DeviceParams,
        response: { 200: DeviceConfigSchema, ...errorResponses(...permissionErrors, ...paramErrors, 'DeviceNotFound') },
      },
    },
    async (request) => {
      await requireDevice(request, request.params.id);
      return config.get(request.params.id);
    },
  );

  app.put(
    '/api/devices/:id/config',
    {
      onRequest: authorizer.require('manageDevices'),
      schema: {
        tags: ['control'],
        summary: 'Change desired settings; the device gets the difference (the shadow delta) now or when it connects',
        description: bodyLimitNote(bodyLimits.api),
        security: bearer,
        params: DeviceParams,
        body: StrictObject(DeviceConfigChangeSchema.properties),
        response: {
          200: DeviceConfigSchema,
          ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'DeviceNotFound', 'ConfigVersionConflict'),
        },
      },
    },
    async (request) => {
      await requireDevice(request, request.params.id);
      const changed = await config.change(request.params.id, request.body);
      request.log.info(
        { deviceId: request.params.id, keys: Object.keys(request.body.desired), by: authOf(request).sub },
        'configuration changed',
      );
      return changed;
    },
  );

  app.post(
    '/api/devices/:id/commands',
    {
      onRequest: authorizer.require('manageDevices'),
      bodyLimit: bodyLimits.apiCommand,
      schema: {
        tags: ['control'],
        summary: 'Send a command to a device (an AWS IoT job: delivered when the device is online, kept until then)',
        description: bodyLimitNote(bodyLimits.apiCommand),
        security: bearer,
        params: DeviceParams,
        body: StrictObject(DeviceCommandSchema.properties),
        response: { 202: CommandSentSchema, ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'DeviceNotFound') },
      },
    },
    async (request, reply) => {
      const device = await requireDevice(request, request.params.id);
      return reply.code(202).send(await send(request, [thingArnOf(device.certificateArn, device.deviceId)]));
    },
  );

  app.post(
    '/api/commands',
    {
      onRequest: authorizer.require('manageDevices'),
      bodyLimit: bodyLimits.apiCommand,
      schema: {
        tags: ['control'],
        summary: 'Send one command to a list of devices or to a thing group',
        description: `Give \`deviceIds\` (at most ${controlLimits.maxCommandTargets}) or \`group\`, not both. ${bodyLimitNote(bodyLimits.apiCommand)}`,
        security: bearer,
        body: StrictObject(FleetCommandSchema.properties),
        response: {
          202: CommandSentSchema,
          ...errorResponses(...permissionErrors, ...bodyErrors, 'DeviceNotFound', 'GroupNotFound', 'OutsideDeviceAccess'),
        },
      },
    },
    async (request, reply) => {
      const { deviceIds, group } = request.body;
      if ((deviceIds === undefined) === (group === undefined)) throw apiError('ValidationError', 'Give either deviceIds or group');
      if (group !== undefined) requireGroup(authOf(request), group);
      const targets = group !== undefined ? [await commands.groupArn(group)] : [];
      for (const deviceId of deviceIds ?? []) {
        const device = await requireDevice(request, deviceId);
        targets.push(thingArnOf(device.certificateArn, deviceId));
      }
      return reply.code(202).send(await send(request, targets));
    },
  );

  app.get(
    '/api/devices/:id/commands',
    {
      onRequest: authorizer.require('readDevices'),
      schema: {
        tags: ['control'],
        summary: "A device's commands, newest first, with their state and the device's answer",
        security: bearer,
        params: DeviceParams,
        querystring: HistoryQuery,
        response: { 200: CommandExecutionPageSchema, ...errorResponses(...permissionErrors, ...paramErrors, 'DeviceNotFound') },
      },
    },
    async (request) => {
      await requireDevice(request, request.params.id);
      return commands.ofDevice(request.params.id, {
        limit: request.query.limit,
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
      });
    },
  );

  app.get(
    '/api/commands/:commandId',
    {
      onRequest: authorizer.require('readDevices'),
      schema: {
        tags: ['control'],
        summary: 'A command and how many of its devices are in each state',
        security: bearer,
        params: CommandParams,
        response: { 200: CommandSummarySchema, ...errorResponses(...permissionErrors, ...paramErrors, 'CommandNotFound') },
      },
    },
    async (request) => checkInReach(authOf(request), await commands.describe(request.params.commandId)),
  );

  app.post(
    '/api/commands/:commandId/cancel',
    {
      onRequest: authorizer.require('manageDevices'),
      schema: {
        tags: ['control'],
        summary: 'Cancel a command on every device that has not finished it (in progress ones only with force)',
        description: bodyLimitNote(bodyLimits.api),
        security: bearer,
        params: CommandParams,
        body: StrictObject(CommandCancelSchema.properties),
        response: {
          204: CommandCanceledSchema,
          ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'CommandNotFound', 'CommandStateConflict'),
        },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      if (scope.accessOf(caller).kind === 'groups') await checkInReach(caller, await commands.describe(request.params.commandId));
      await commands.cancel(request.params.commandId, request.body.force ?? false);
      request.log.info({ commandId: request.params.commandId, by: authOf(request).sub }, 'command canceled');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/devices/:id/commands/:commandId/cancel',
    {
      onRequest: authorizer.require('manageDevices'),
      schema: {
        tags: ['control'],
        summary: 'Cancel a command on one device',
        description: bodyLimitNote(bodyLimits.api),
        security: bearer,
        params: DeviceCommandParams,
        body: StrictObject(CommandCancelSchema.properties),
        response: {
          204: CommandCanceledSchema,
          ...errorResponses(
            ...permissionErrors,
            ...paramErrors,
            ...bodyErrors,
            'DeviceNotFound',
            'CommandNotFound',
            'CommandStateConflict',
          ),
        },
      },
    },
    async (request, reply) => {
      await requireDevice(request, request.params.id);
      await commands.cancelForDevice(request.params.commandId, request.params.id, request.body.force ?? false);
      request.log.info({ commandId: request.params.commandId, deviceId: request.params.id, by: authOf(request).sub }, 'command canceled');
      return reply.code(204).send(null);
    },
  );
}

/** A job target's kind and name: `arn:aws:iot:<region>:<account>:thing/<name>` or `...:thinggroup/<name>` (names may hold ':'). */
function targetOf(arn: string): { kind: string; name: string } {
  const resource = arn.split(':').slice(5).join(':');
  const slash = resource.indexOf('/');
  return { kind: resource.slice(0, slash), name: resource.slice(slash + 1) };
}

/**
 * A thing's ARN from its certificate's (same partition, region and account): the registry keeps
 * the certificate ARN, so sending a command costs no DescribeThing.
 */
export function thingArnOf(certificateArn: string, thingName: string): string {
  const prefix = certificateArn.slice(0, certificateArn.lastIndexOf(':cert/'));
  if (!prefix.startsWith('arn:')) throw new Error(`not an IoT certificate ARN: ${certificateArn}`);
  return `${prefix}:thing/${thingName}`;
}
