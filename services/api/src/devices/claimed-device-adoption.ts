/**
 * Devices provisioned by claim (AWS IoT fleet provisioning, core's fleet-provisioning-template.ts)
 * are things no user registered: IoT Core created them while the API Service, owner of the device
 * registry, was not asked. The registry adopts them (docs/adr/0002-claim-provisioned-devices.md):
 * whenever the device index reads the registry, ListThings with the claim attribute finds the things
 * the registry lacks, and each is registered with its certificate (ListThingPrincipals) by a
 * conditional put, so that two API tasks adopting at once store it once. A revoked device's thing
 * is deleted at revocation, so it is not adopted again.
 */
import { ListThingPrincipalsCommand, ListThingsCommand } from '@aws-sdk/client-iot';
import { claimProvisionedAttribute, claimProvisioningOwner, deviceIdPattern, type DeviceRecord } from '@fleet/core';
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
      const { principals = [] } = await iot.send(new ListThingPrincipalsCommand({ thingName: deviceId }));
      const certificateArn = principals.find((p) => p.includes(':cert/'));
      // A thing whose RegisterThing has not attached its certificate yet is adopted next time.
      if (certificateArn === undefined) continue;
      adopted.push({
        deviceId,
        name: thing.attributes?.serialNumber ?? deviceId,
        ...claimProvisioningOwner,
        createdAt: new Date(now()).toISOString(),
        certificateArn,
        certificateId: certificateArn.slice(certificateArn.lastIndexOf('/') + 1),
        status: 'active',
      });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return adopted;
}
