/**
 * The IoT side of a device: a thing named after the device id, an active certificate with the
 * device policy attached, and the certificate attached to the thing (the device policy's
 * `iot:Connection.Thing.IsAttached` condition depends on that last link). Registration undoes
 * whatever it created when a later step fails, so that a failed registration leaves nothing
 * behind; revocation follows the order AWS requires before a certificate can be deleted
 * (https://docs.aws.amazon.com/iot/latest/apireference/API_DeleteCertificate.html: INACTIVE first,
 * detached from every thing and policy). A device may hold several certificates (rotation,
 * `device-certificates.ts`): each is issued and attached the same way, from the device's CSR or from
 * a key pair made here, and the whole device's revocation removes all of them.
 */
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeleteThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  ListThingPrincipalsCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { platformThingAttributes } from '@fleet/core';
import { createDeviceKey } from '@fleet/core/device-key';
import type { Logger } from 'pino';
import { awsErrorName, isResourceNotFound, type ApiClients } from '../aws-clients.ts';
import { subjectCommonName } from './device-credentials.ts';
import { apiError } from '../errors.ts';

/** A certificate AWS IoT issued for a device; `privateKey` only when the key pair was made here (no CSR from the device). */
export interface IssuedCertificate {
  readonly certificateArn: string;
  readonly certificateId: string;
  readonly certificatePem: string;
  readonly privateKey?: string;
}

/** A certificate of the device, by ARN and id (the two forms AWS IoT operations take). */
export interface CertificateRef {
  readonly certificateArn: string;
  readonly certificateId: string;
}

/** `exists`: a thing with that name already exists (created outside this registration). */
export type ProvisionResult = { readonly ok: true; readonly device: IssuedCertificate } | { readonly ok: false; readonly reason: 'exists' };

export interface ProvisionInput {
  readonly deviceId: string;
  readonly name: string;
  readonly ownerId: string;
  /** Thing attributes besides `owner` and `name` (a bulk import's `attr.<key>` columns). */
  readonly attributes?: Readonly<Record<string, string>>;
  /** The device's PEM CSR; without one a key pair is made for the device. */
  readonly certificateSigningRequest?: string;
}

export interface DeprovisionInput extends CertificateRef {
  readonly deviceId: string;
  readonly keepThing?: boolean;
  /** Certificates the device had revoked (detached already): deleted with it. */
  readonly revokedCertificates?: readonly CertificateRef[];
}

export interface IotProvisioning {
  provision(input: ProvisionInput): Promise<ProvisionResult>;
  /**
   * Issues one more ACTIVE certificate for an existing thing, with the device policy, attached to
   * it (rotation); nothing is left behind when a step fails.
   */
  addCertificate(deviceId: string, certificateSigningRequest?: string): Promise<IssuedCertificate>;
  /** The certificate ARNs attached to the device's thing (ListThingPrincipals, every page). */
  attachedCertificates(deviceId: string): Promise<string[]>;
  /**
   * Revokes one certificate: REVOKED first (AWS IoT closes the connections using it at once), then
   * detached from the thing and the device policy. It stays in AWS IoT as REVOKED, so it can never
   * be activated again.
   */
  revokeCertificate(deviceId: string, certificate: CertificateRef): Promise<void>;
  /** Deletes a revoked, detached certificate (pruning a device's history of revoked ones). */
  deleteRevokedCertificate(certificateId: string): Promise<void>;
  /**
   * Removes the certificate and the thing; steps whose resource is already gone are skipped.
   * Every other certificate attached to the thing (rotation) goes with it.
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

  async function provision(input: ProvisionInput): Promise<ProvisionResult> {
    const { deviceId, name, ownerId, attributes } = input;
    try {
      await iot.send(
        new CreateThingCommand({
          thingName: deviceId,
          attributePayload: {
            attributes: {
              ...attributes,
              [platformThingAttributes.owner]: iotAttributeValue(ownerId),
              [platformThingAttributes.name]: iotAttributeValue(name),
            },
          },
        }),
      );
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceAlreadyExistsException') return { ok: false, reason: 'exists' };
      throw err;
    }
    try {
      return { ok: true, device: await addCertificate(deviceId, input.certificateSigningRequest) };
    } catch (err) {
      await undo(deviceId, [{ name: 'DeleteThing', run: () => iot.send(new DeleteThingCommand({ thingName: deviceId })) }]);
      throw err;
    }
  }

  async function addCertificate(deviceId: string, certificateSigningRequest?: string): Promise<IssuedCertificate> {
    const created: { name: string; run: () => Promise<unknown> }[] = [];
    try {
      const issued = await issueCertificate(deviceId, certificateSigningRequest);
      const { certificateArn, certificateId } = issued;
      created.push({ name: 'DeleteCertificate', run: () => deleteCertificate(certificateId) });
      // The device policy lets a certificate publish over HTTPS as the device its subject's common
      // name names (HTTPS has no thing variables): a CSR naming another device would let this one
      // publish as it. AWS IoT signs whatever subject the CSR holds, so the check is ours.
      if (certificateSigningRequest !== undefined) {
        const commonName = subjectCommonName(issued.certificatePem);
        if (commonName !== deviceId) {
          throw apiError(
            'InvalidCsr',
            `The certificate signing request's subject must be CN=${deviceId} (the device id), not ${commonName === undefined ? 'one without a common name' : `CN=${commonName}`}`,
          );
        }
      }

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
      return issued;
    } catch (err) {
      await undo(deviceId, created);
      throw err;
    }
  }

  /**
   * CreateCertificateFromCsr with the device's CSR (its key stays on it), or with the CSR of an EC P-256
   * key made here (`@fleet/core/device-key`), whose private key is answered once and kept nowhere.
   * Not CreateKeysAndCertificate: its certificates are all named "AWS IoT Certificate", which the
   * device policy keeps off HTTPS publish, and its RSA-2048 pairs are slow (device-key.ts). Either
   * way the certificate's subject is CN=<device id>.
   */
  async function issueCertificate(deviceId: string, certificateSigningRequest?: string): Promise<IssuedCertificate> {
    if (certificateSigningRequest === undefined) {
      const made = await createDeviceKey(deviceId);
      return { ...(await signCsr(made.csrPem)), privateKey: made.privateKeyPem };
    }
    try {
      return await signCsr(certificateSigningRequest);
    } catch (err) {
      // The only InvalidRequestException of CreateCertificateFromCsr is a CSR AWS IoT refuses.
      if (awsErrorName(err) === 'InvalidRequestException') {
        throw apiError('InvalidCsr', `The certificate signing request was refused: ${(err as Error).message}`, { cause: err });
      }
      throw err;
    }
  }

  async function signCsr(certificateSigningRequest: string): Promise<IssuedCertificate> {
    const signed = await iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest, setAsActive: true }));
    return requireIssued('CreateCertificateFromCsr', signed);
  }

  async function deleteCertificate(certificateId: string): Promise<void> {
    await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }));
    await iot.send(new DeleteCertificateCommand({ certificateId, forceDelete: true }));
  }

  /** Runs an IoT call; a resource already gone is what the caller wanted. */
  async function tolerant(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      if (!isResourceNotFound(err)) throw err;
    }
  }

  /** Deactivates, detaches and deletes one certificate; REVOKED ones cannot change status and skip the first step. */
  async function removeCertificate(deviceId: string, { certificateArn, certificateId }: CertificateRef): Promise<void> {
    // Deactivate first: the device loses access at once even if a later step fails.
    await tolerant(async () => {
      try {
        await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }));
      } catch (err) {
        if (awsErrorName(err) !== 'CertificateStateException') throw err;
      }
    });
    await tolerant(() => iot.send(new DetachThingPrincipalCommand({ thingName: deviceId, principal: certificateArn })));
    await tolerant(() => iot.send(new DetachPolicyCommand({ policyName: devicePolicyName, target: certificateArn })));
    await tolerant(() => iot.send(new DeleteCertificateCommand({ certificateId, forceDelete: true })));
  }

  async function attachedCertificates(deviceId: string): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await iot.send(new ListThingPrincipalsCommand({ thingName: deviceId, ...(nextToken ? { nextToken } : {}) }));
      // A thing's principals may also be Cognito identities; only certificates are the device's.
      arns.push(...(page.principals ?? []).filter((p) => p.includes(':cert/')));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }

  async function deprovision(input: DeprovisionInput): Promise<void> {
    const { deviceId, keepThing } = input;
    await removeCertificate(deviceId, input);
    if (keepThing) return;
    let others: string[] = [];
    try {
      others = (await attachedCertificates(deviceId)).filter((arn) => arn !== input.certificateArn);
    } catch (err) {
      if (!isResourceNotFound(err)) throw err;
    }
    for (const certificateArn of others)
      await removeCertificate(deviceId, { certificateArn, certificateId: certificateIdOfArn(certificateArn) });
    for (const revoked of input.revokedCertificates ?? []) await tolerant(() => deleteRevokedCertificate(revoked.certificateId));
    await tolerant(() => deleteThingAfterDetach(deviceId));
  }

  async function revokeCertificate(deviceId: string, { certificateArn, certificateId }: CertificateRef): Promise<void> {
    await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'REVOKED' }));
    await tolerant(() => iot.send(new DetachThingPrincipalCommand({ thingName: deviceId, principal: certificateArn })));
    await tolerant(() => iot.send(new DetachPolicyCommand({ policyName: devicePolicyName, target: certificateArn })));
  }

  async function deleteRevokedCertificate(certificateId: string): Promise<void> {
    await iot.send(new DeleteCertificateCommand({ certificateId, forceDelete: true }));
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

  return { provision, addCertificate, attachedCertificates, revokeCertificate, deleteRevokedCertificate, deprovision };
}

/** The certificate id of a certificate ARN (`arn:aws:iot:<region>:<account>:cert/<id>`). */
export function certificateIdOfArn(certificateArn: string): string {
  return certificateArn.slice(certificateArn.lastIndexOf('/') + 1);
}

function requireField(operation: string, value: string | undefined, name: string): string {
  if (!value) throw new Error(`${operation} answered without ${name}`);
  return value;
}

function requireIssued(
  operation: string,
  answer: { certificateArn?: string; certificateId?: string; certificatePem?: string },
): IssuedCertificate {
  return {
    certificateArn: requireField(operation, answer.certificateArn, 'certificateArn'),
    certificateId: requireField(operation, answer.certificateId, 'certificateId'),
    certificatePem: requireField(operation, answer.certificatePem, 'certificatePem'),
  };
}
