/**
 * Device registration, listing, revocation and commands. A device is an AWS IoT thing plus an
 * item in the registry; registration creates both (or neither) and answers the private key once.
 */
import { randomUUID } from 'node:crypto';
import { PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { bodyLimits, topics } from '@fleet/core';
import { Type } from 'typebox';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import type { ApiClients } from '../aws-clients.ts';
import { deviceCredentials } from '../devices/device-credentials.ts';
import { generateDeviceId } from '../devices/device-id.ts';
import { InvalidCursorError, type DeviceRegistry } from '../devices/device-registry.ts';
import type { IotProvisioning } from '../devices/iot-provisioning.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, Device, DeviceId, DeviceParams, errorResponses, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';

export interface DeviceRoutesDeps {
  readonly authorizer: Authorizer;
  readonly registry: DeviceRegistry;
  readonly provisioning: IotProvisioning;
  readonly iotEndpoint: () => Promise<string>;
  readonly iotData: ApiClients['iotData'];
  readonly caUrl: string;
  /** MQTT/TLS port of the IoT endpoint, for the connection details shown to the user. */
  readonly mqttPort: number;
}

const RegisterBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 128, description: 'Display name' }),
  deviceId: Type.Optional(DeviceId),
});

const Credentials = Type.Object({
  certificatePem: Type.String(),
  privateKey: Type.String({ description: 'Shown once; never stored by Fleet' }),
  caUrl: Type.String(),
  endpoint: Type.String({ description: 'IoT data endpoint host (iot:Data-ATS)' }),
  port: Type.Integer(),
  topic: Type.String(),
  mosquittoPub: Type.String({ description: 'Ready-to-paste command publishing one reading' }),
});

const ListQuery = StrictObject({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
});

const CommandBody = StrictObject({
  command: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$', maxLength: 64, description: 'Command name', examples: ['reboot'] }),
  args: Type.Optional(
    Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
      maxProperties: 32,
      description: `Command arguments (a JSON object of at most 32 fields); the whole body is at most ${bodyLimits.apiCommand / 1024} KiB`,
    }),
  ),
});

/** Generated ids carry 30 bits of randomness; a collision is retried rather than reported. */
const generatedIdAttempts = 3;

export function registerDeviceRoutes(app: TypedApp, deps: DeviceRoutesDeps): void {
  const { authorizer, registry, provisioning } = deps;

  app.post(
    '/api/devices',
    {
      onRequest: authorizer.require('manageDevices'),
      schema: {
        tags: ['devices'],
        summary: 'Register a device: creates its thing, certificate and registry item',
        description: bodyLimitNote(bodyLimits.api),
        security: bearer,
        body: RegisterBody,
        response: { 201: Type.Object({ device: Device, credentials: Credentials }), ...errorResponses(...bodyErrors, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const caller = authOf(request);
      const { name } = request.body;
      const attempts = request.body.deviceId ? 1 : generatedIdAttempts;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const deviceId = request.body.deviceId ?? generateDeviceId(name);
        if (await registry.get(deviceId)) {
          if (attempt < attempts) continue;
          throw apiError('DeviceExists', `Device "${deviceId}" is already registered`);
        }
        const provisioned = await provisioning.provision({ deviceId, name, ownerId: caller.sub });
        if (!provisioned.ok) {
          if (attempt < attempts) continue;
          throw apiError('DeviceExists', `An IoT thing named "${deviceId}" already exists`);
        }
        const { certificateArn, certificateId, certificatePem, privateKey } = provisioned.device;
        const record = {
          deviceId,
          name,
          ownerId: caller.sub,
          ownerName: caller.username,
          createdAt: new Date().toISOString(),
          certificateArn,
          certificateId,
          status: 'active' as const,
        };
        let stored: boolean;
        try {
          stored = await registry.create(record);
        } catch (err) {
          await provisioning.deprovision({ deviceId, certificateArn, certificateId });
          throw err;
        }
        if (!stored) {
          // Another request registered the same id between our check and our write: its thing stays.
          await provisioning.deprovision({ deviceId, certificateArn, certificateId, keepThing: true });
          throw apiError('DeviceExists', `Device "${deviceId}" is already registered`);
        }
        request.log.info({ deviceId, owner: caller.sub }, 'device registered');
        const endpoint = await deps.iotEndpoint();
        return reply.code(201).send({
          device: { ...record, online: false },
          credentials: deviceCredentials({ deviceId, certificatePem, privateKey, caUrl: deps.caUrl, endpoint, port: deps.mqttPort }),
        });
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
        summary: 'List devices with their online status and latest values',
        security: bearer,
        querystring: ListQuery,
        response: {
          200: Type.Object({ items: Type.Array(Device), nextCursor: Type.Optional(Type.String()) }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      try {
        return await registry.list({ limit: request.query.limit, ...(request.query.cursor ? { cursor: request.query.cursor } : {}) });
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
        response: { 200: Device, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const device = await registry.get(request.params.id);
      if (!device) throw apiError('DeviceNotFound', `Device "${request.params.id}" is not registered`);
      return device;
    },
  );

  app.delete(
    '/api/devices/:id',
    {
      onRequest: authorizer.require('manageDevices'),
      schema: {
        tags: ['devices'],
        summary: 'Revoke a device: deactivates and deletes its certificate, deletes its thing and registry item',
        security: bearer,
        params: DeviceParams,
        response: { 204: Type.Null({ description: 'Revoked' }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const deviceId = request.params.id;
      const device = await registry.get(deviceId);
      if (!device) throw apiError('DeviceNotFound', `Device "${deviceId}" is not registered`);
      await provisioning.deprovision({ deviceId, certificateArn: device.certificateArn, certificateId: device.certificateId });
      await registry.remove(deviceId);
      request.log.info({ deviceId, by: authOf(request).sub }, 'device revoked');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/devices/:id/commands',
    {
      onRequest: authorizer.require('manageDevices'),
      bodyLimit: bodyLimits.apiCommand,
      schema: {
        tags: ['devices'],
        summary: 'Send a command to a device (MQTT QoS 1 on its commands topic)',
        description: bodyLimitNote(bodyLimits.apiCommand),
        security: bearer,
        params: DeviceParams,
        body: CommandBody,
        response: {
          202: Type.Object({ commandId: Type.String(), topic: Type.String() }),
          ...errorResponses(...bodyErrors, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const deviceId = request.params.id;
      if (!(await registry.get(deviceId))) throw apiError('DeviceNotFound', `Device "${deviceId}" is not registered`);
      const commandId = randomUUID();
      const topic = topics.commands(deviceId);
      const message = {
        commandId,
        command: request.body.command,
        args: request.body.args ?? {},
        issuedAt: new Date().toISOString(),
        issuedBy: authOf(request).username,
      };
      await deps.iotData.send(
        new PublishCommand({ topic, qos: 1, payload: new TextEncoder().encode(JSON.stringify(message)), contentType: 'application/json' }),
      );
      return reply.code(202).send({ commandId, topic });
    },
  );
}
