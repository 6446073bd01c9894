/**
 * A device's certificates: list, rotate and revoke one, for `/api/devices/:id/certificates`.
 * AWS IoT holds the truth (the certificates attached to the thing, their status and validity); the
 * registry item names the current one (the newest Fleet handed out) and keeps the revoked ones,
 * which AWS IoT no longer links to the thing once they are detached.
 *
 * Rotation adds a certificate beside the old one, which stays ACTIVE so the device switches over at
 * its own pace; revoking the old one then cuts it off (AWS IoT closes its live connection). The
 * last ACTIVE certificate is never revoked alone: that is the whole device's revocation.
 */
import { DescribeCertificateCommand } from '@aws-sdk/client-iot';
import { certificateStatuses, deviceCertificateLimits, type DeviceCertificate } from '@fleet/core';
import type { Logger } from 'pino';
import { isResourceNotFound, type ApiClients } from '../aws-clients.ts';
import { apiError } from '../errors.ts';
import type { CertificateChange, CertificateHistory, DeviceRegistry, RevokedCertificateEntry } from './device-registry.ts';
import { certificateIdOfArn, type IotProvisioning, type IssuedCertificate } from './iot-provisioning.ts';

export interface DeviceCertificates {
  /** Newest first; undefined when the device is not registered. */
  list(deviceId: string): Promise<DeviceCertificate[] | undefined>;
  /** A new ACTIVE certificate (from the CSR when given), now the current one; undefined when not registered. */
  rotate(
    deviceId: string,
    certificateSigningRequest?: string,
  ): Promise<{ certificate: DeviceCertificate; issued: IssuedCertificate } | undefined>;
  /** Revokes one certificate of the device; undefined when the device is not registered. */
  revoke(deviceId: string, certificateId: string): Promise<DeviceCertificate | undefined>;
}

/** Registry writes that lost to a concurrent change are re-read and retried this often. */
const changeAttempts = 3;

export function createDeviceCertificates(deps: {
  iot: ApiClients['iot'];
  registry: DeviceRegistry;
  provisioning: IotProvisioning;
  logger: Logger;
  now?: () => number;
}): DeviceCertificates {
  const { iot, registry, provisioning, logger } = deps;
  const now = deps.now ?? Date.now;

  /** DescribeCertificate as the API answers it; undefined when AWS IoT no longer has it. */
  async function describe(certificateId: string, history: CertificateHistory, revokedAt?: string): Promise<DeviceCertificate | undefined> {
    try {
      const { certificateDescription: d } = await iot.send(new DescribeCertificateCommand({ certificateId }));
      const status = certificateStatuses.find((s) => s === d?.status);
      if (!d?.creationDate || !d.validity?.notAfter || !status)
        throw new Error(`DescribeCertificate of ${certificateId} answered without its status and dates`);
      return {
        certificateId,
        status,
        createdAt: d.creationDate.toISOString(),
        notAfter: d.validity.notAfter.toISOString(),
        current: history.record.certificateId === certificateId,
        ...(revokedAt ? { revokedAt } : {}),
      };
    } catch (err) {
      if (isResourceNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The certificates attached to the device's thing, described, each with its ARN. */
  async function attachedOf(history: CertificateHistory): Promise<{ certificate: DeviceCertificate; certificateArn: string }[]> {
    const arns = await provisioning.attachedCertificates(history.record.deviceId);
    const described = await Promise.all(
      arns.map(async (certificateArn) => ({ certificate: await describe(certificateIdOfArn(certificateArn), history), certificateArn })),
    );
    return described.flatMap(({ certificate, certificateArn }) => (certificate ? [{ certificate, certificateArn }] : []));
  }

  /**
   * Applies a change of the registry's certificates computed from a fresh read, again when another
   * request changed them in between.
   */
  async function changeRegistry(deviceId: string, compute: (history: CertificateHistory) => CertificateChange): Promise<void> {
    for (let attempt = 1; attempt <= changeAttempts; attempt++) {
      const history = await registry.certificateHistory(deviceId);
      if (!history) return;
      const changed = await registry.changeCertificates(deviceId, history.version, compute(history));
      if (changed !== 'conflict') return;
    }
    throw apiError('CertificateStateConflict', `The certificates of device "${deviceId}" changed meanwhile; list them and try again`);
  }

  return {
    async list(deviceId) {
      const history = await registry.certificateHistory(deviceId);
      if (!history) return undefined;
      const [attached, revoked] = await Promise.all([
        attachedOf(history),
        Promise.all(history.revoked.map((r) => describe(r.certificateId, history, r.revokedAt))),
      ]);
      const all = [...attached.map((a) => a.certificate), ...revoked.filter((c): c is DeviceCertificate => c !== undefined)];
      return all.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.certificateId.localeCompare(b.certificateId));
    },

    async rotate(deviceId, certificateSigningRequest) {
      const history = await registry.certificateHistory(deviceId);
      if (!history) return undefined;
      const attached = await provisioning.attachedCertificates(deviceId);
      if (attached.length >= deviceCertificateLimits.maxAttached) {
        throw apiError(
          'CertificateStateConflict',
          `Device "${deviceId}" holds ${attached.length} certificates, the most it may: revoke the ones it no longer uses first`,
        );
      }
      const issued = await provisioning.addCertificate(deviceId, certificateSigningRequest);
      const current = { certificateArn: issued.certificateArn, certificateId: issued.certificateId };
      await changeRegistry(deviceId, (h) => ({ current, revoked: h.revoked }));
      const certificate = await describe(issued.certificateId, { ...history, record: { ...history.record, ...current } });
      if (!certificate) throw new Error(`certificate ${issued.certificateId} was created but AWS IoT does not describe it`);
      return { certificate, issued };
    },

    async revoke(deviceId, certificateId) {
      const history = await registry.certificateHistory(deviceId);
      if (!history) return undefined;
      if (history.revoked.some((r) => r.certificateId === certificateId)) {
        throw apiError('CertificateStateConflict', `Certificate ${certificateId} of device "${deviceId}" is already revoked`);
      }
      const attached = await attachedOf(history);
      const target = attached.find((a) => a.certificate.certificateId === certificateId);
      if (!target) throw apiError('CertificateNotFound', `Device "${deviceId}" has no certificate ${certificateId}`);
      const otherActive = attached.filter((a) => a.certificate.status === 'ACTIVE' && a.certificate.certificateId !== certificateId);
      if (target.certificate.status === 'ACTIVE' && otherActive.length === 0) {
        throw apiError(
          'LastActiveCertificate',
          `Certificate ${certificateId} is the last active one of device "${deviceId}": rotate first, or revoke the whole device`,
        );
      }
      const { certificateArn } = target;
      await provisioning.revokeCertificate(deviceId, { certificateArn, certificateId });
      const revokedAt = new Date(now()).toISOString();
      // The newest other ACTIVE certificate becomes current when the current one goes.
      const successor = otherActive.sort((a, b) => b.certificate.createdAt.localeCompare(a.certificate.createdAt))[0];
      let pruned: RevokedCertificateEntry[] = [];
      await changeRegistry(deviceId, (h) => {
        const revoked = [...h.revoked, { certificateId, certificateArn, revokedAt }];
        pruned = revoked.slice(0, Math.max(0, revoked.length - deviceCertificateLimits.maxRevokedKept));
        const keepCurrent = h.record.certificateId !== certificateId || !successor;
        return {
          current: keepCurrent
            ? { certificateArn: h.record.certificateArn, certificateId: h.record.certificateId }
            : { certificateArn: successor.certificateArn, certificateId: successor.certificate.certificateId },
          revoked: revoked.slice(pruned.length),
        };
      });
      for (const old of pruned) {
        await provisioning
          .deleteRevokedCertificate(old.certificateId)
          .catch((err: unknown) =>
            logger.warn({ err, deviceId, certificateId: old.certificateId }, 'pruned revoked certificate not deleted'),
          );
      }
      return { ...target.certificate, status: 'REVOKED', current: false, revokedAt };
    },
  };
}
