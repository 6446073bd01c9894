/**
 * Device registration, listing and revocation (commands and configuration: device-control.ts). A device is an AWS IoT thing plus an
 * item in the registry; registration creates both (or neither) and answers the private key once.
 * Listing and reading join the registry with the Data Service's state of each device
 * (`device-views.ts`); answers are the `@fleet/core` device contract.
 */
import {
  bodyLimits,
  CertificateSigningRequestSchema,
  deviceLimits,
  DeviceIdSchema,
  DeviceListQuerySchema,
  DevicePageSchema,
  DeviceRevokedSchema,
  DeviceViewSchema,
  errorResponses,
  RegisteredDeviceSchema,
  UserThingAttributesSchema,
  ThingGroupNameSchema,
} from '@fleet/core';
import type { Caller } from '@fleet/core/tokens';
import { Type } from 'typebox';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import { deviceNotFound, type DeviceScope, requireGroup } from '../auth/device-scope.ts';
import { credentialsFor, type ConnectionDetails } from '../devices/device-credentials.ts';
import { generateDeviceId } from '../devices/device-id.ts';
import { InvalidCursorError, type DeviceRegistry } from '../devices/device-registry.ts';
import { refuseReservedAttributes } from '../devices/thing-attributes.ts';
import type { RevokeDevice } from '../devices/device-revocation.ts';
import { deviceView, type DeviceViews } from '../devices/device-views.ts';
import type { IotProvisioning } from '../devices/iot-provisioning.ts';
import { registerDevice } from '../devices/device-registration.ts';
import { apiError } from '../errors.ts';
import {
  bearer,
  bodyErrors,
  bodyLimitNote,
  dataServiceErrors,
  DeviceParams,
  paramErrors,
  permissionErrors,
  StrictObject,
} from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import { actorOf } from '../audit/audit-entry.ts';
import { setAuditTarget } from '../audit/audit-trail.ts';

/** The connection details are those shown to the user with a new device's credentials. */
export interface DeviceRoutesDeps extends ConnectionDetails {
  readonly authorizer: Authorizer;
  readonly registry: DeviceRegistry;
  /** The registry joined with the Data Service's state of each device. */
  readonly views: DeviceViews;
  readonly provisioning: IotProvisioning;
  /** Revokes a device: its configuration (shadow), certificate, thing and registry item. */
  readonly revoke: RevokeDevice;
  /** Which devices the caller may reach (access by group). */
  readonly scope: DeviceScope;
  /** Whether a thing group exists (DescribeThingGroup). */
  readonly groupExists: (group: string) => Promise<boolean>;
  /** Puts a registered device in a thing group (AddThingToThingGroup), the index told at once. */
  readonly addToGroup: (group: string, deviceId: string) => Promise<void>;
}

const RegisterBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: deviceLimits.maxNameLength, description: 'Display name' }),
  deviceId: Type.Optional(DeviceIdSchema),
  certificateSigningRequest: Type.Optional(CertificateSigningRequestSchema),
  attributes: Type.Optional(UserThingAttributesSchema),
  /** An existing thing group the device is put in; required (one of theirs) for a user whose access is limited to groups. */
  group: Type.Optional(ThingGroupNameSchema),
});

const ListQuery = StrictObject(DeviceListQuerySchema.properties);

/** Generated ids carry 30 bits of randomness; a collision is retried rather than reported. */
const generatedIdAttempts = 3;

export function registerDeviceRoutes(app: TypedApp, deps: DeviceRoutesDeps): void {
  const { authorizer, registry, views, provisioning, scope } = deps;

  /** A scoped caller registers only into one of their groups, else they would lose sight of the device at once. */
  async function checkGroupOfNewDevice(caller: Caller, group: string | undefined): Promise<void> {
    const access = scope.accessOf(caller);
    if (group === undefined) {
      if (access.kind === 'groups')
        throw apiError('ValidationError', `body/group is required: your access is limited to the thing groups ${access.groups.join(', ')}`);
      return;
    }
    requireGroup(caller, group);
    if (!(await deps.groupExists(group))) throw apiError('GroupNotFound', `Thing group ${JSON.stringify(group)} does not exist`);
  }

  app.post(
    '/api/devices',
    {
      onRequest: authorizer.require('manageDevices'),
      schema: {
        tags: ['devices'],
        summary: 'Register a device: creates its thing, certificate and registry item',
        description:
          'With `certificateSigningRequest` (the PEM CSR of a key the device made) the certificate is signed from it and the answer ' +
          'carries no private key (`credentials.keySource: csr`); without it an EC P-256 key pair is generated and its private key is ' +
          "answered once (`keySource: generated`), never stored. Either way the certificate's subject is CN=<deviceId>. With `group` " +
          '(an existing thing group) the device is put in it; a user whose access is limited to thing groups must name one of theirs. ' +
          bodyLimitNote(bodyLimits.api),
        security: bearer,
        body: RegisterBody,
        response: {
          201: RegisteredDeviceSchema,
          ...errorResponses(...permissionErrors, ...bodyErrors, 'DeviceExists', 'InvalidCsr', 'GroupNotFound', 'OutsideDeviceAccess'),
        },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const { name, certificateSigningRequest, attributes, group } = request.body;
      refuseReservedAttributes(attributes);
      await checkGroupOfNewDevice(caller, group);
      const attempts = request.body.deviceId ? 1 : generatedIdAttempts;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const deviceId = request.body.deviceId ?? generateDeviceId(name);
        if (await registry.get(deviceId)) {
          if (attempt < attempts) continue;
          throw apiError('DeviceExists', `Device "${deviceId}" is already registered`);
        }
        const registered = await registerDevice(
          { registry, provisioning },
          {
            deviceId,
            name,
            owner: caller,
            ...(attributes === undefined ? {} : { attributes }),
            ...(certificateSigningRequest === undefined ? {} : { certificateSigningRequest }),
          },
        );
        if (!registered.ok && registered.reason === 'thing-exists') {
          if (attempt < attempts) continue;
          throw apiError('DeviceExists', `An IoT thing named "${deviceId}" already exists`);
        }
        // Another request registered the same id between our check and our write: its thing stays.
        if (!registered.ok) throw apiError('DeviceExists', `Device "${deviceId}" is already registered`);
        const { record } = registered;
        if (group !== undefined) await deps.addToGroup(group, deviceId);
        request.log.info({ deviceId, owner: caller.sub, group }, 'device registered');
        setAuditTarget(request, { type: 'devices', id: deviceId });
        return reply.code(201).send({ device: deviceView(record), credentials: await credentialsFor(deps, deviceId, registered.device) });
      }
      throw new Error(`unreachable: ${generatedIdAttempts} attempts to register a device ended without an outcome`);
    },
  );

  app.get(
    '/api/devices',
    {
      onRequest: authorizer.require('readDevices'),
      schema: {
        tags: ['devices'],
        summary: 'Search, filter, sort and page devices, with their status, last activity and latest values',
        description:
          "Answered from an in-memory index of the registry joined with the devices' states and their things' attributes: a registration " +
          'elsewhere shows within 10 s, presence and latest values are at most 5 s old, attributes changed outside Fleet 10 s (60 s while a ' +
          'refresh runs). `attribute` is repeatable: `?attribute=site=lyon&attribute=floor` keeps the devices whose `site` is exactly ' +
          '`lyon` and that have a `floor`. The cursor belongs to its `sort` and `order`.',
        security: bearer,
        querystring: ListQuery,
        response: { 200: DevicePageSchema, ...errorResponses(...permissionErrors, 'ValidationError', ...dataServiceErrors) },
      },
    },
    async (request) => {
      const { limit, cursor, sort, order, q, status, group, attribute } = request.query;
      const filter = {
        ...(q ? { q } : {}),
        ...(status ? { status } : {}),
        ...(group ? { group } : {}),
        ...(attribute ? { attribute } : {}),
      };
      const caller = authOf(request);
      try {
        return await views.list(
          { filter, sort, order, limit, ...(cursor ? { cursor } : {}) },
          caller.accessToken,
          await scope.visible(caller),
        );
      } catch (err) {
        if (err instanceof InvalidCursorError) throw apiError('ValidationError', `querystring/cursor ${err.message}`);
        throw err;
      }
    },
  );

  app.get(
    '/api/devices/:id',
    {
      onRequest: authorizer.require('readDevices'),
      schema: {
        tags: ['devices'],
        summary: 'One device with its online status and latest values',
        security: bearer,
        params: DeviceParams,
        response: { 200: DeviceViewSchema, ...errorResponses(...permissionErrors, ...paramErrors, 'DeviceNotFound', ...dataServiceErrors) },
      },
    },
    async (request) => {
      const caller = authOf(request);
      const { id } = request.params;
      const device = (await scope.includes(caller, id)) ? await views.get(id, caller.accessToken) : undefined;
      if (!device) throw deviceNotFound(id);
      return device;
    },
  );

  app.delete(
    '/api/devices/:id',
    {
      onRequest: authorizer.require('manageDevices'),
      schema: {
        tags: ['devices'],
        summary:
          'Revoke a device: deletes its configuration (shadow), deactivates and deletes its certificate, deletes its thing and registry item',
        security: bearer,
        params: DeviceParams,
        response: {
          204: DeviceRevokedSchema,
          ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'DeviceNotFound'),
        },
      },
    },
    async (request, reply) => {
      const deviceId = request.params.id;
      const caller = authOf(request);
      if (!(await scope.includes(caller, deviceId)) || !(await deps.revoke(deviceId, actorOf(caller)))) throw deviceNotFound(deviceId);
      request.log.info({ deviceId, by: authOf(request).sub }, 'device revoked');
      return reply.code(204).send(null);
    },
  );
}
