/**
 * The IoT side of a device: a thing named after the device id, an active certificate with the
 * device policy attached, and the certificate attached to the thing (the device policy's
 * `iot:Connection.Thing.IsAttached` condition depends on that last link). Registration undoes
 * whatever it created when a later step fails, so that a failed registration leaves nothing
 * behind; revocation follows the order AWS requires before a certificate can be deleted
 * (https://docs.aws.amazon.com/iot/latest/apireference/API_DeleteCertificate.html: INACTIVE first,
 * detached from every thing and policy).
 */
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeleteThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import type { Logger } from 'pino';
import { isResourceNotFound, type ApiClients } from '../aws-clients.ts';

export interface ProvisionedDevice {
  readonly certificateArn: string;
  readonly certificateId: string;
  readonly certificatePem: string;
  readonly privateKey: string;
}

/** `exists`: a thing with that name already exists (created outside this registration). */
export type ProvisionResult = { readonly ok: true; readonly device: ProvisionedDevice } | { readonly ok: false; readonly reason: 'exists' };

export interface ProvisionInput {
  readonly deviceId: string;
  readonly name: string;
  readonly ownerId: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface DeprovisionInput {
  readonly deviceId: string;
  readonly certificateArn: string;
  readonly certificateId: string;
  readonly keepThing?: boolean;
}

export interface IotProvisioning {
  /** `attributes`: thing attributes besides `owner` and `name` (a bulk import's `attr.<key>` columns). */
  provision(input: ProvisionInput): Promise<ProvisionResult>;
  /**
   * Removes the certificate and the thing; steps whose resource is already gone are skipped.
   * `keepThing` removes only the certificate: used when another registration of the same id won
   * the race, since CreateThing with an identical name and attributes succeeds for both callers
   * (https://docs.aws.amazon.com/iot/latest/apireference/API_CreateThing.html) and the thing is the winner's.
   */
  deprovision(input: DeprovisionInput): Promise<void>;
}

/** Thing attribute values allow only `[a-zA-Z0-9_.,@/:#=\[\]-]`, up to 800 characters (AttributePayload, AWS IoT API Reference). */
export function iotAttributeValue(text: string): string {
  return text.replace(/[^a-zA-Z0-9_.,@/:#=[\]-]/g, '_').slice(0, 800);
}

/** Pauses before retrying DeleteThing after a detachment. */
const detachRetryDelaysMs = [250, 1_000, 2_000];

export function createIotProvisioning(deps: { iot: ApiClients['iot']; devicePolicyName: string; logger: Logger }): IotProvisioning {
  const { iot, devicePolicyName, logger } = deps;

  /** Runs the steps in reverse and keeps going past failures: each one frees what it can. */
  async function undo(deviceId: string, steps: readonly { name: string; run: () => Promise<unknown> }[]): Promise<void> {
    for (const step of [...steps].reverse()) {
      try {
        await step.run();
      } catch (err) {
        if (isResourceNotFound(err)) continue;
        logger.error({ err, deviceId, step: step.name }, 'IoT clean-up step failed; the resource is left behind');
      }
    }
  }

  async function provision({ deviceId, name, ownerId, attributes }: ProvisionInput): Promise<ProvisionResult> {
    const created: { name: string; run: () => Promise<unknown> }[] = [];
    try {
      try {
        await iot.send(
          new CreateThingCommand({
            thingName: deviceId,
            attributePayload: { attributes: { ...attributes, owner: iotAttributeValue(ownerId), name: iotAttributeValue(name) } },
          }),
        );
      } catch (err) {
        if ((err as { name?: string }).name === 'ResourceAlreadyExistsException') return { ok: false, reason: 'exists' };
        throw err;
      }
      created.push({ name: 'DeleteThing', run: () => iot.send(new DeleteThingCommand({ thingName: deviceId })) });

      const keys = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      const { certificateArn, certificateId, certificatePem } = keys;
      const privateKey = keys.keyPair?.PrivateKey;
      if (!certificateArn || !certificateId || !certificatePem || !privateKey) {
        throw new Error(
          `CreateKeysAndCertificate answered without ${!certificateArn ? 'certificateArn' : !certificateId ? 'certificateId' : !certificatePem ? 'certificatePem' : 'keyPair.PrivateKey'}`,
        );
      }
      created.push({ name: 'DeleteCertificate', run: () => deleteCertificate(certificateId) });

      await iot.send(new AttachPolicyCommand({ policyName: devicePolicyName, target: certificateArn }));
      created.push({
        name: 'DetachPolicy',
        run: () => iot.send(new DetachPolicyCommand({ policyName: devicePolicyName, target: certificateArn })),
      });

      await iot.send(new AttachThingPrincipalCommand({ thingName: deviceId, principal: certificateArn }));
      created.push({
        name: 'DetachThingPrincipal',
        run: () => iot.send(new DetachThingPrincipalCommand({ thingName: deviceId, principal: certificateArn })),
      });
      return { ok: true, device: { certificateArn, certificateId, certificatePem, privateKey } };
    } catch (err) {
      await undo(deviceId, created);
      throw err;
    }
  }

  async function deleteCertificate(certificateId: string): Promise<void> {
    await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }));
    await iot.send(new DeleteCertificateCommand({ certificateId, forceDelete: true }));
  }

  async function deprovision({ deviceId, certificateArn, certificateId, keepThing }: DeprovisionInput): Promise<void> {
    // Deactivate first: the device loses access at once even if a later step fails.
    const tolerant = async (run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (err) {
        if (!isResourceNotFound(err)) throw err;
      }
    };
    await tolerant(() => iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' })));
    await tolerant(() => iot.send(new DetachThingPrincipalCommand({ thingName: deviceId, principal: certificateArn })));
    await tolerant(() => iot.send(new DetachPolicyCommand({ policyName: devicePolicyName, target: certificateArn })));
    await tolerant(() => iot.send(new DeleteCertificateCommand({ certificateId, forceDelete: true })));
    if (!keepThing) await tolerant(() => deleteThingAfterDetach(deviceId));
  }

  /**
   * DetachThingPrincipal is asynchronous ("it might take several seconds for the detachment to
   * propagate", AWS IoT API Reference), so DeleteThing may still see the principal and refuse
   * with InvalidRequestException: retried a few times with a growing pause.
   */
  async function deleteThingAfterDetach(thingName: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await iot.send(new DeleteThingCommand({ thingName }));
        return;
      } catch (err) {
        if ((err as { name?: string }).name !== 'InvalidRequestException' || attempt >= detachRetryDelaysMs.length + 1) throw err;
        logger.debug({ thingName, attempt }, 'DeleteThing refused while the detachment propagates; retrying');
        await new Promise((r) => setTimeout(r, detachRetryDelaysMs[attempt - 1]));
      }
    }
  }

  return { provision, deprovision };
}
