/**
 * A device's certificates: `GET /api/devices/:id/certificates` lists them, `POST` rotates (a new
 * certificate beside the old one, generated or signed from the device's CSR), and
 * `POST .../:certificateId/revoke` revokes one (AWS IoT drops the connection using it at once).
 * Listing needs `readDevices`, changing `manageDevices`, as registering does; the audit hook
 * records each change like every other admin action.
 */
import {
  bodyLimits,
  CertificateIdSchema,
  DeviceCertificateListSchema,
  deviceCertificateLimits,
  errorResponses,
  RevokedCertificateSchema,
  RotateCertificateBodySchema,
  RotatedCertificateSchema,
} from '@fleet/core';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import { deviceNotFound, type DeviceScope } from '../auth/device-scope.ts';
import type { DeviceCertificates } from '../devices/device-certificates.ts';
import { credentialsFor, type ConnectionDetails } from '../devices/device-credentials.ts';
import { bearer, bodyErrors, bodyLimitNote, DeviceParams, paramErrors, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';

/** The connection details are those answered with a rotated certificate's credentials. */
export interface DeviceCertificateRoutesDeps extends ConnectionDetails {
  readonly authorizer: Authorizer;
  readonly certificates: DeviceCertificates;
  /** Which devices the caller may reach: a device outside answers as one not registered. */
  readonly scope: DeviceScope;
}

const CertificateParams = StrictObject({ ...DeviceParams.properties, certificateId: CertificateIdSchema });

export function registerDeviceCertificateRoutes(app: TypedApp, deps: DeviceCertificateRoutesDeps): void {
  const { authorizer, certificates } = deps;

  app.get(
    '/api/devices/:id/certificates',
    {
      onRequest: authorizer.require('readDevices'),
      schema: {
        tags: ['devices'],
        summary: "A device's certificates, newest first: status, creation, end of validity, which one is current",
        description: `Revoked ones stay listed, the last ${deviceCertificateLimits.maxRevokedKept}; older revoked ones are deleted from AWS IoT.`,
        security: bearer,
        params: DeviceParams,
        response: { 200: DeviceCertificateListSchema, ...errorResponses(...permissionErrors, ...paramErrors, 'DeviceNotFound') },
      },
    },
    async (request) => {
      await deps.scope.requireReach(authOf(request), request.params.id);
      const items = await certificates.list(request.params.id);
      if (!items) throw deviceNotFound(request.params.id);
      return { items };
    },
  );

  app.post(
    '/api/devices/:id/certificates',
    {
      onRequest: authorizer.require('manageDevices'),
      schema: {
        tags: ['devices'],
        summary: 'Rotate: issue a new certificate for the device, beside the current one',
        description:
          'The new certificate is ACTIVE, attached to the thing and the device policy, and becomes the current one; the old one stays ACTIVE ' +
          'until it is revoked, so the device switches over at its own pace. With `certificateSigningRequest` it is signed from the ' +
          "device's CSR and the answer carries no private key; with `{}` an EC P-256 key pair is generated and answered once. " +
          bodyLimitNote(bodyLimits.api),
        security: bearer,
        params: DeviceParams,
        body: StrictObject(RotateCertificateBodySchema.properties),
        response: {
          201: RotatedCertificateSchema,
          ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'DeviceNotFound', 'InvalidCsr', 'CertificateStateConflict'),
        },
      },
    },
    async (request, reply) => {
      const deviceId = request.params.id;
      await deps.scope.requireReach(authOf(request), deviceId);
      const rotated = await certificates.rotate(deviceId, request.body.certificateSigningRequest);
      if (!rotated) throw deviceNotFound(deviceId);
      request.log.info(
        { deviceId, certificateId: rotated.certificate.certificateId, by: authOf(request).sub },
        'device certificate rotated',
      );
      return reply.code(201).send({ certificate: rotated.certificate, credentials: await credentialsFor(deps, deviceId, rotated.issued) });
    },
  );

  app.post(
    '/api/devices/:id/certificates/:certificateId/revoke',
    {
      onRequest: authorizer.require('manageDevices'),
      schema: {
        tags: ['devices'],
        summary: "Revoke one of a device's certificates: REVOKED and detached; a connection using it is closed at once",
        description:
          "The device's last ACTIVE certificate is refused (409 LastActiveCertificate): rotate first, or revoke the whole device " +
          '(`DELETE /api/devices/{id}`). When the current certificate is revoked, the newest other ACTIVE one becomes current.',
        security: bearer,
        params: CertificateParams,
        response: {
          200: RevokedCertificateSchema,
          // It takes no body, but a client may send one (parsed, then ignored): the body's errors apply.
          ...errorResponses(
            ...permissionErrors,
            ...paramErrors,
            ...bodyErrors,
            'DeviceNotFound',
            'CertificateNotFound',
            'LastActiveCertificate',
            'CertificateStateConflict',
          ),
        },
      },
    },
    async (request) => {
      const { id: deviceId, certificateId } = request.params;
      await deps.scope.requireReach(authOf(request), deviceId);
      const revoked = await certificates.revoke(deviceId, certificateId);
      if (!revoked) throw deviceNotFound(deviceId);
      request.log.info({ deviceId, certificateId, by: authOf(request).sub }, 'device certificate revoked');
      return revoked;
    },
  );
}
