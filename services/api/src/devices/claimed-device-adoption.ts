/**
 * Devices provisioned by claim (AWS IoT fleet provisioning, core's fleet-provisioning-template.ts)
 * are things no user registered: IoT Core created them while the API Service, owner of the device
 * registry, was not asked. The registry adopts them (docs/adr/0002-claim-provisioned-devices.md):
 * whenever the device index reads the registry, ListThings with the claim attribute finds the things
 * the registry lacks, and each is registered with its certificate (ListThingPrincipals) by a
 * conditional put, so that two API tasks adopting at once store it once. A device asked for by id
 * before that (its readings, its page) is adopted then (`claimedDeviceToAdopt`). A revoked device's
 * thing is deleted at revocation, so it is not adopted again.
 */
import { DescribeThingCommand, ListThingPrincipalsCommand, ListThingsCommand } from '@aws-sdk/client-iot';
import { claimProvisionedAttribute, claimProvisioningOwner, claimThingNamePrefix, deviceIdPattern, type DeviceRecord } from '@fleet/core';
import type { ApiClients } from '../aws-clients.ts';

/** AWS: ListThings pages at most 250 things. */
const pageSize = 250;

/** The claim-provisioned things missing from `known`, as registry records. */
export async function claimedDevicesToAdopt(
  iot: ApiClients['iot'],
  known: ReadonlyMap<string, unknown>,
  now: () => number = Date.now,
): Promise<DeviceRecord[]> {
  const adopted: DeviceRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await iot.send(
      new ListThingsCommand({
        attributeName: claimProvisionedAttribute.name,
        attributeValue: claimProvisionedAttribute.value,
        maxResults: pageSize,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    for (const thing of page.things ?? []) {
      const deviceId = thing.thingName;
      if (deviceId === undefined || known.has(deviceId) || !deviceIdPattern.test(deviceId)) continue;
      const record = await recordOf(iot, deviceId, thing.attributes ?? {}, now);
      if (record) adopted.push(record);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return adopted;
}

/** The registry record of one claim-provisioned thing, or undefined when it is none (or not finished). */
export async function claimedDeviceToAdopt(
  iot: ApiClients['iot'],
  deviceId: string,
  now: () => number = Date.now,
): Promise<DeviceRecord | undefined> {
  // Only names the template gives: an unknown id costs no IoT call.
  if (!deviceIdPattern.test(deviceId) || !deviceId.startsWith(claimThingNamePrefix)) return undefined;
  const thing = await iot.send(new DescribeThingCommand({ thingName: deviceId })).catch((err: unknown) => {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw err;
  });
  const attributes = thing?.attributes ?? {};
  if (attributes[claimProvisionedAttribute.name] !== claimProvisionedAttribute.value) return undefined;
  return recordOf(iot, deviceId, attributes, now);
}

async function recordOf(
  iot: ApiClients['iot'],
  deviceId: string,
  attributes: Readonly<Record<string, string>>,
  now: () => number,
): Promise<DeviceRecord | undefined> {
  const { principals = [] } = await iot.send(new ListThingPrincipalsCommand({ thingName: deviceId }));
  const certificateArn = principals.find((p) => p.includes(':cert/'));
  // A thing whose RegisterThing has not attached its certificate yet is adopted next time.
  if (certificateArn === undefined) return undefined;
  return {
    deviceId,
    name: attributes.serialNumber ?? deviceId,
    ...claimProvisioningOwner,
    createdAt: new Date(now()).toISOString(),
    certificateArn,
    certificateId: certificateArn.slice(certificateArn.lastIndexOf('/') + 1),
    status: 'active',
  };
}
