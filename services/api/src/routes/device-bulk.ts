/**
 * `POST /api/devices/bulk`: one call acts on many devices (revoke, command, add to a thing group)
 * and answers a result per device. The permission depends on the action: revoking and commanding
 * need `manageDevices`, adding to a group `manageDeviceGroups`.
 */
import {
  bodyLimits,
  can,
  DeviceBulkAnswerSchema,
  DeviceBulkInputSchema,
  DeviceCommandSchema,
  DeviceFilterSchema,
  deviceLimits,
  deviceListLimits,
  errorResponses,
  type DeviceBulkAnswer,
  type DeviceBulkInput,
  type Permission,
} from '@fleet/core';
import { Type } from 'typebox';
import type { Caller } from '@fleet/core/tokens';
import { actorOf } from '../audit/audit-entry.ts';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import { type DeviceScope, requireGroup } from '../auth/device-scope.ts';
import { notRegistered, type BulkActions, type BulkOperation } from '../devices/bulk-actions.ts';
import type { DeviceViews } from '../devices/device-views.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, dataServiceErrors, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';

/** Closed at every level: an unknown field anywhere is refused with a 400 naming it. */
const BulkBody = StrictObject({
  ...DeviceBulkInputSchema.properties,
  match: Type.Optional(StrictObject(DeviceFilterSchema.properties)),
  command: Type.Optional(StrictObject(DeviceCommandSchema.properties)),
});

const neededPermission: Record<DeviceBulkInput['action'], Permission> = {
  revoke: 'manageDevices',
  command: 'manageDevices',
  addToGroup: 'manageDeviceGroups',
};

/** The operation a valid body asks for, or a 400 saying which field is missing or out of place. */
function operationOf(body: DeviceBulkInput, caller: Caller): BulkOperation {
  const { action } = body;
  if (action !== 'command' && body.command !== undefined)
    throw apiError('ValidationError', `body/command goes with action "command", not "${action}"`);
  if (action !== 'addToGroup' && body.group !== undefined)
    throw apiError('ValidationError', `body/group goes with action "addToGroup", not "${action}"`);
  if (action === 'command') {
    if (!body.command) throw apiError('ValidationError', 'body/command is required for action "command"');
    return { action, command: body.command, issuedBy: caller.username };
  }
  if (action === 'addToGroup') {
    if (!body.group) throw apiError('ValidationError', 'body/group is required for action "addToGroup"');
    return { action, group: body.group };
  }
  return { action, revokedBy: actorOf(caller) };
}

export function registerDeviceBulkRoutes(
  app: TypedApp,
  deps: { authorizer: Authorizer; views: DeviceViews; bulk: BulkActions; scope: DeviceScope },
): void {
  /** Runs the operation on the devices the caller may reach; the others answer as not registered, in the order asked. */
  async function runInReach(caller: Caller, operation: BulkOperation, deviceIds: readonly string[]): Promise<DeviceBulkAnswer> {
    const visible = await deps.scope.visible(caller);
    if (!visible) return deps.bulk.run(operation, deviceIds);
    const answer = await deps.bulk.run(
      operation,
      deviceIds.filter((id) => visible.ids.has(id)),
    );
    const done = new Map(answer.results.map((r) => [r.deviceId, r]));
    const results = deviceIds.map((id) => done.get(id) ?? notRegistered(id));
    const succeeded = results.filter((r) => r.ok).length;
    return { action: answer.action, succeeded, failed: results.length - succeeded, results };
  }

  app.post(
    '/api/devices/bulk',
    {
      onRequest: deps.authorizer.require('readDevices'),
      bodyLimit: bodyLimits.apiCommand,
      schema: {
        tags: ['devices'],
        summary: 'Revoke, command or add to a thing group many devices at once, with a result per device',
        description:
          `Name the devices (\`deviceIds\`) or give a filter (\`match\`: every device it matches, "select all N matching"), ` +
          `at most ${deviceListLimits.maxBulkDevices} either way; a filter matching more answers 400. Revoke and command need ` +
          `the permission to manage devices, addToGroup the one to manage device groups (the group is created when missing). ` +
          `The answer is 200 even when some devices failed: each result says. A user whose access is limited to thing groups ` +
          `acts only on their devices (any other answers DeviceNotFound) and adds only to their groups (else 403). ` +
          bodyLimitNote(bodyLimits.apiCommand),
        security: bearer,
        body: BulkBody,
        response: {
          200: DeviceBulkAnswerSchema,
          ...errorResponses(...permissionErrors, ...bodyErrors, ...dataServiceErrors, 'OutsideDeviceAccess'),
        },
      },
    },
    async (request) => {
      const caller = authOf(request);
      const { body } = request;
      const permission = neededPermission[body.action];
      if (!can(caller.role, permission)) {
        throw apiError(
          'Forbidden',
          `Role "${caller.role}" may not ${body.action === 'addToGroup' ? 'add devices to thing groups' : 'manage devices'}`,
        );
      }
      const operation = operationOf(body, caller);
      if (operation.action === 'addToGroup') requireGroup(caller, operation.group);
      if ((body.deviceIds === undefined) === (body.match === undefined))
        throw apiError('ValidationError', 'Give either body/deviceIds or body/match');
      let deviceIds = body.deviceIds ?? [];
      if (body.match) {
        const page = await deps.views.list(
          { filter: body.match, sort: 'registeredAt', order: 'asc', limit: deviceLimits.maxPage },
          caller.accessToken,
          await deps.scope.visible(caller),
        );
        if (page.total > deviceListLimits.maxBulkDevices) {
          throw apiError(
            'ValidationError',
            `body/match matches ${page.total} devices; a bulk action takes at most ${deviceListLimits.maxBulkDevices}: narrow the filter`,
          );
        }
        deviceIds = page.items.map((d) => d.deviceId);
      }
      const answer = await runInReach(caller, operation, deviceIds);
      request.log.info(
        { action: body.action, devices: deviceIds.length, succeeded: answer.succeeded, failed: answer.failed, by: caller.sub },
        'bulk device action',
      );
      return answer;
    },
  );
}
