/**
 * One device's registration, shared by `POST /api/devices` and the device import: the AWS IoT side
 * (`iot-provisioning.ts`) and then the registry item. Whatever a failed or lost registration created
 * is removed again: a registry write that fails takes the thing and certificate with it, and when
 * another registration of the same id wrote its item first, only our certificate goes (the thing is
 * the winner's: CreateThing with the same name and attributes succeeds for both).
 */
import type { DeviceRecord } from '@fleet/core';
import type { DeviceRegistry } from './device-registry.ts';
import type { IotProvisioning, IssuedCertificate } from './iot-provisioning.ts';

export interface RegistrationInput {
  readonly deviceId: string;
  readonly name: string;
  readonly owner: { readonly sub: string; readonly username: string };
  readonly attributes?: Readonly<Record<string, string>>;
  /** The device's PEM CSR; without one an EC P-256 key pair is made here (and answered once). */
  readonly certificateSigningRequest?: string;
}

/** `registered`: the registry has the id already; `thing-exists`: an IoT thing of that name exists with other attributes. */
export type RegistrationResult =
  | { readonly ok: true; readonly record: DeviceRecord; readonly device: IssuedCertificate }
  | { readonly ok: false; readonly reason: 'registered' | 'thing-exists' };

export async function registerDevice(
  deps: { readonly registry: DeviceRegistry; readonly provisioning: IotProvisioning },
  input: RegistrationInput,
): Promise<RegistrationResult> {
  const { registry, provisioning } = deps;
  const { deviceId, name, owner } = input;
  const provisioned = await provisioning.provision({
    deviceId,
    name,
    ownerId: owner.sub,
    ...(input.attributes ? { attributes: input.attributes } : {}),
    ...(input.certificateSigningRequest === undefined ? {} : { certificateSigningRequest: input.certificateSigningRequest }),
  });
  if (!provisioned.ok) return { ok: false, reason: 'thing-exists' };
  const { certificateArn, certificateId } = provisioned.device;
  const record: DeviceRecord = {
    deviceId,
    name,
    ownerId: owner.sub,
    ownerName: owner.username,
    createdAt: new Date().toISOString(),
    certificateArn,
    certificateId,
    status: 'active',
  };
  let stored: boolean;
  try {
    stored = await registry.create(record);
  } catch (err) {
    await provisioning.deprovision({ deviceId, certificateArn, certificateId });
    throw err;
  }
  if (!stored) {
    await provisioning.deprovision({ deviceId, certificateArn, certificateId, keepThing: true });
    return { ok: false, reason: 'registered' };
  }
  return { ok: true, record, device: provisioned.device };
}
