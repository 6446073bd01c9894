/**
 * A device's thing attributes after registration: `GET /api/devices/:id/attributes` reads them from
 * AWS IoT (DescribeThing), `PUT` replaces the user's own with one UpdateThing (merge, the removed
 * ones given the empty value) guarded by the thing's version, so a change made meanwhile elsewhere
 * (the AWS CLI, another admin) is read again and not overwritten blindly. Fleet's own attributes
 * (`owner`, `name`) stay as they are. The device list filters on the new values at once in this task
 * (the device index reads the attributes again), within its refresh in the others.
 */
import { DescribeThingCommand, UpdateThingCommand } from '@aws-sdk/client-iot';
import {
  attributeReplacement,
  bodyLimits,
  DeviceAttributesChangeSchema,
  deviceAttributesPath,
  DeviceAttributesSchema,
  errorResponses,
  type DeviceAttributes,
} from '@fleet/core';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import { deviceNotFound, type DeviceScope } from '../auth/device-scope.ts';
import { awsErrorName, isResourceNotFound, type ApiClients } from '../aws-clients.ts';
import { refuseReservedAttributes } from '../devices/thing-attributes.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, DeviceParams, paramErrors, permissionErrors } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';

export interface DeviceAttributeRoutesDeps {
  readonly authorizer: Authorizer;
  readonly iot: ApiClients['iot'];
  /** Which devices the caller may reach: a device outside answers as one not registered. */
  readonly scope: DeviceScope;
  /** The device index reads the things' attributes again (this task's list filters on the change at once). */
  readonly attributesChanged: () => void;
}

/** Version conflicts (a change elsewhere between our read and our write) tried again before answering 409. */
const maxAttempts = 3;

export function registerDeviceAttributeRoutes(app: TypedApp, deps: DeviceAttributeRoutesDeps): void {
  const { authorizer, iot, scope } = deps;

  /** The thing's attributes and version; undefined when the thing is gone (revoked meanwhile). */
  async function describe(deviceId: string): Promise<DeviceAttributes | undefined> {
    try {
      const thing = await iot.send(new DescribeThingCommand({ thingName: deviceId }));
      return { attributes: thing.attributes ?? {}, version: thing.version ?? 1 };
    } catch (err) {
      if (isResourceNotFound(err)) return undefined;
      throw err;
    }
  }

  app.get(
    deviceAttributesPath,
    {
      onRequest: authorizer.require('readDevices'),
      schema: {
        tags: ['devices'],
        summary: "A device's thing attributes, Fleet's own (owner, name) included, and the thing's version",
        security: bearer,
        params: DeviceParams,
        response: { 200: DeviceAttributesSchema, ...errorResponses(...permissionErrors, ...paramErrors, 'DeviceNotFound') },
      },
    },
    async (request) => {
      const { id } = request.params;
      await scope.requireDevice(authOf(request), id);
      const found = await describe(id);
      if (!found) throw deviceNotFound(id);
      return found;
    },
  );

  app.put(
    deviceAttributesPath,
    {
      onRequest: authorizer.require('manageDevices'),
      schema: {
        tags: ['devices'],
        summary: "Replace a device's own thing attributes: those left out are removed, Fleet's (owner, name) are kept",
        description:
          'One UpdateThing guarded by the thing version, read again and retried when the thing changed meanwhile (409 Conflict after ' +
          `${maxAttempts} tries). The device list filters on the new values at once. ` +
          bodyLimitNote(bodyLimits.api),
        security: bearer,
        params: DeviceParams,
        body: DeviceAttributesChangeSchema,
        response: {
          200: DeviceAttributesSchema,
          ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'DeviceNotFound', 'Conflict'),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      refuseReservedAttributes(request.body.attributes);
      await scope.requireDevice(authOf(request), id);
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const current = await describe(id);
        if (!current) throw deviceNotFound(id);
        const payload = attributeReplacement(current.attributes, request.body.attributes);
        // Nothing to change: the thing as just read is the answer, without a write or a second read.
        if (Object.keys(payload).length === 0) return current;
        try {
          await iot.send(
            new UpdateThingCommand({
              thingName: id,
              attributePayload: { attributes: payload, merge: true },
              expectedVersion: current.version,
            }),
          );
        } catch (err) {
          if (awsErrorName(err) === 'VersionConflictException') continue;
          if (isResourceNotFound(err)) throw deviceNotFound(id);
          throw err;
        }
        deps.attributesChanged();
        request.log.info({ deviceId: id, by: authOf(request).sub, attributes: Object.keys(payload) }, 'device attributes changed');
        const changed = await describe(id);
        if (!changed) throw deviceNotFound(id);
        return changed;
      }
      throw apiError('Conflict', `Device "${id}" changed ${maxAttempts} times while its attributes were written: try again`);
    },
  );
}
