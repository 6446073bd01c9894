/**
 * Fleet provisioning by claim, set up as `cdk deploy` sets it up on AWS (core's
 * `fleetProvisioningTemplateBody`, `claimPolicyDocument`): the claim policy, the provisioning
 * template (created, or given a new default version when its definition changed, and kept
 * enabled), and, the one step AWS leaves to the operator, a claim certificate with the claim
 * policy attached, written to `<data>/claim/` for the simulator and for devices being made.
 * Idempotent across restarts: an ACTIVE claim certificate on disk is kept.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AttachPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreateProvisioningTemplateCommand,
  CreateProvisioningTemplateVersionCommand,
  DeleteProvisioningTemplateVersionCommand,
  DescribeCertificateCommand,
  DescribeProvisioningTemplateCommand,
  ListProvisioningTemplateVersionsCommand,
  UpdateProvisioningTemplateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import {
  claimPolicyDocument,
  claimPolicyName,
  fleetProvisioningTemplateBody,
  fleetProvisioningTemplateName,
  provisioningRoleName,
} from '@fleet/core';
import { maxTemplateVersions } from '../iot/provisioning/provisioning-templates.ts';
import { ensurePolicyDocument } from './iot-policy-versions.ts';

/** Where the claim certificate lives, as the endpoints file names it. */
export interface ClaimCredentials {
  readonly templateName: string;
  readonly certificateFile: string;
  readonly privateKeyFile: string;
}

export async function ensureFleetProvisioning(
  iot: Pick<IoTClient, 'send'>,
  options: { readonly region: string; readonly accountId: string; readonly claimDir: string },
): Promise<ClaimCredentials> {
  await ensurePolicyDocument(iot, claimPolicyName, claimPolicyDocument(options.region, options.accountId));
  await ensureTemplate(iot, `arn:aws:iam::${options.accountId}:role/${provisioningRoleName}`);
  return ensureClaimCertificate(iot, options.claimDir);
}

async function ensureTemplate(iot: Pick<IoTClient, 'send'>, provisioningRoleArn: string): Promise<void> {
  const templateName = fleetProvisioningTemplateName;
  const templateBody = JSON.stringify(fleetProvisioningTemplateBody());
  const existing = await iot.send(new DescribeProvisioningTemplateCommand({ templateName })).catch((err: Error) => {
    if (err.name === 'ResourceNotFoundException') return undefined;
    throw err;
  });
  if (!existing) {
    await iot.send(new CreateProvisioningTemplateCommand({ templateName, templateBody, provisioningRoleArn, enabled: true }));
    return;
  }
  if (existing.templateBody !== templateBody) {
    const { versions = [] } = await iot.send(new ListProvisioningTemplateVersionsCommand({ templateName }));
    const oldest = versions.find((v) => !v.isDefaultVersion);
    if (versions.length >= maxTemplateVersions && oldest?.versionId !== undefined) {
      await iot.send(new DeleteProvisioningTemplateVersionCommand({ templateName, versionId: oldest.versionId }));
    }
    await iot.send(new CreateProvisioningTemplateVersionCommand({ templateName, templateBody, setAsDefault: true }));
  }
  if (existing.enabled !== true || existing.provisioningRoleArn !== provisioningRoleArn) {
    await iot.send(new UpdateProvisioningTemplateCommand({ templateName, enabled: true, provisioningRoleArn }));
  }
}

async function ensureClaimCertificate(iot: Pick<IoTClient, 'send'>, claimDir: string): Promise<ClaimCredentials> {
  const credentials = {
    templateName: fleetProvisioningTemplateName,
    certificateFile: join(claimDir, 'claim.cert.pem'),
    privateKeyFile: join(claimDir, 'claim.private.key'),
  };
  const idFile = join(claimDir, 'claim.certificate-id');
  const knownId = await readFile(idFile, 'utf8').catch(() => undefined);
  if (knownId !== undefined) {
    const described = await iot.send(new DescribeCertificateCommand({ certificateId: knownId.trim() })).catch(() => undefined);
    if (described?.certificateDescription?.status === 'ACTIVE') return credentials;
  }
  const created = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  if (!created.certificateArn || !created.certificateId || !created.certificatePem || !created.keyPair?.PrivateKey) {
    throw new Error('CreateKeysAndCertificate answered no certificate for the claim certificate');
  }
  await iot.send(new AttachPolicyCommand({ policyName: claimPolicyName, target: created.certificateArn }));
  await mkdir(claimDir, { recursive: true, mode: 0o700 });
  await writeFile(credentials.certificateFile, created.certificatePem);
  await writeFile(credentials.privateKeyFile, created.keyPair.PrivateKey, { mode: 0o600 });
  // Last: a folder without the id is set up again at the next start.
  await writeFile(idFile, created.certificateId);
  return credentials;
}
