/**
 * RegisterThing of fleet provisioning (https://docs.aws.amazon.com/iot/latest/developerguide/fleet-provision-api.html#register-thing):
 * a device presents the ownership token of the certificate it just created and its parameters; the
 * template runs: the optional pre-provisioning hook decides first, then the thing is created (or
 * found again: a thing of that name is reused, its attributes left as they are), put in the
 * template's existing thing groups, the certificate set to the template's status (ACTIVE) and
 * attached to the thing and the template's policies. Every check runs before the first change, so a
 * refused request leaves the registry as it was. The answer is `{ deviceConfiguration, thingName }`.
 */
import type { ProvisioningErrorCode, RegisterThingResponse } from '@fleet/core';
import type { Logger } from 'pino';
import { AwsError } from '../../aws-endpoint/index.ts';
import type { IotRegistry } from '../registry/iot-registry.ts';
import { thingNamePattern } from '../registry/things.ts';
import type { OwnershipTokens } from './ownership-tokens.ts';
import type { ProvisioningTemplateRecord } from './provisioning-template-store.ts';
import type { ProvisioningTemplates } from './provisioning-templates.ts';
import { parseTemplateBody, resolveTemplate, TemplateBodyError, TemplateParameterError, type ResolvedTemplate } from './template-body.ts';

/** A refusal answered on `/rejected` with AWS's error document. */
export class ProvisioningRejection extends Error {
  constructor(
    readonly errorCode: ProvisioningErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProvisioningRejection';
  }
}

/** What the pre-provisioning hook answers (AWS's Lambda response). */
export interface HookAnswer {
  readonly allowProvisioning: boolean;
  readonly parameterOverrides?: Readonly<Record<string, string>>;
}

/** POSTs the hook's request document to its URL (tests inject one). */
export type CallHook = (url: string, request: object) => Promise<HookAnswer>;

export interface RegisterThingDeps {
  readonly registry: IotRegistry;
  readonly templates: ProvisioningTemplates;
  readonly tokens: OwnershipTokens;
  readonly callHook: CallHook;
  readonly log?: Logger;
}

export interface RegisterThingInput {
  readonly templateName: string;
  readonly request: unknown;
  readonly clientId: string;
  /** The claim certificate's id (the hook's `claimCertificateId`). */
  readonly claimCertificateId?: string;
}

const isStringMap = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');

export async function registerThing(deps: RegisterThingDeps, input: RegisterThingInput): Promise<RegisterThingResponse> {
  const request = input.request as { certificateOwnershipToken?: unknown; parameters?: unknown } | undefined;
  const token = request?.certificateOwnershipToken;
  if (typeof token !== 'string' || token === '') {
    throw new ProvisioningRejection('InvalidCertificateOwnershipToken', 'Certificate ownership token cannot be empty.');
  }
  const parameters = request?.parameters ?? {};
  if (!isStringMap(parameters)) throw new ProvisioningRejection('InvalidParameters', 'parameters must be an object of string values');
  const template = findTemplate(deps.templates, input.templateName);
  const claimed = deps.tokens.claim(token);
  if ('refusal' in claimed) {
    const why = { unknown: 'is not valid or was already used', expired: 'has expired', 'in-use': 'is being used by another request' };
    throw new ProvisioningRejection('InvalidCertificateOwnershipToken', `The certificate ownership token ${why[claimed.refusal]}.`);
  }
  let spent = false;
  try {
    const response = await provision(deps, template, input, claimed.certificateId, parameters);
    spent = true;
    return response;
  } finally {
    deps.tokens.release(token, spent);
  }
}

function findTemplate(templates: ProvisioningTemplates, templateName: string): ProvisioningTemplateRecord {
  let template: ProvisioningTemplateRecord;
  try {
    template = templates.get(templateName);
  } catch {
    throw new ProvisioningRejection('ResourceNotFound', `The provisioning template ${templateName} does not exist.`);
  }
  if (template.type !== 'FLEET_PROVISIONING')
    throw new ProvisioningRejection('InvalidParameters', `${templateName} is not a fleet provisioning template`);
  if (!template.enabled) throw new ProvisioningRejection('AccessDenied', `The provisioning template ${templateName} is disabled.`);
  return template;
}

async function provision(
  deps: RegisterThingDeps,
  template: ProvisioningTemplateRecord,
  input: RegisterThingInput,
  certificateId: string,
  given: Readonly<Record<string, string>>,
): Promise<RegisterThingResponse> {
  const { registry } = deps;
  const certificate = registry.findCertificate(certificateId);
  if (!certificate || certificate.status !== 'PENDING_ACTIVATION') {
    throw new ProvisioningRejection('InvalidCertificateOwnershipToken', `The certificate of this token is no longer pending activation.`);
  }
  let parameters: Readonly<Record<string, string>> = { ...given, 'AWS::IoT::Certificate::Id': certificateId };
  if (template.preProvisioningHook) {
    const answer = await deps
      .callHook(template.preProvisioningHook.targetArn, {
        claimCertificateId: input.claimCertificateId ?? '',
        certificateId,
        certificatePem: certificate.certificatePem,
        templateArn: template.templateArn,
        clientId: input.clientId,
        parameters: given,
      })
      .catch((err: unknown) => {
        deps.log?.warn({ err, template: template.templateName }, 'fleet provisioning: pre-provisioning hook failed');
        throw new ProvisioningRejection('AccessDenied', 'The pre-provisioning hook failed; the device is not provisioned.');
      });
    if (answer.allowProvisioning !== true)
      throw new ProvisioningRejection('AccessDenied', 'The pre-provisioning hook refused the request.');
    if (answer.parameterOverrides) parameters = { ...parameters, ...answer.parameterOverrides };
  }
  let resolved: ResolvedTemplate;
  try {
    resolved = resolveTemplate(parseTemplateBody(deps.templates.defaultBody(template)), parameters);
  } catch (err) {
    if (err instanceof TemplateParameterError || err instanceof TemplateBodyError)
      throw new ProvisioningRejection('InvalidParameters', err.message);
    throw err;
  }
  checkBeforeChanging(registry, resolved, certificateId);
  return apply(registry, resolved, certificate.certificateArn, template.templateName);
}

/** Everything that could fail is checked here, so that apply() does not stop half-way. */
function checkBeforeChanging(registry: IotRegistry, resolved: ResolvedTemplate, certificateId: string): void {
  if (resolved.certificate && resolved.certificate.certificateId !== certificateId) {
    throw new ProvisioningRejection('InvalidParameters', 'The template certificate must be the certificate of the ownership token.');
  }
  const thing = resolved.thing;
  if (thing && !thingNamePattern.test(thing.thingName)) {
    throw new ProvisioningRejection('InvalidParameters', `Thing name "${thing.thingName}" must match [a-zA-Z0-9:_-]{1,128}`);
  }
  for (const group of thing?.thingGroups ?? []) {
    rejectAwsError(() => registry.describeThingGroup(group), 'InvalidParameters');
  }
  for (const policy of resolved.policies) {
    if ('policyName' in policy) rejectAwsError(() => registry.getPolicy(policy.policyName), 'InvalidParameters');
  }
}

function apply(registry: IotRegistry, resolved: ResolvedTemplate, certificateArn: string, templateName: string): RegisterThingResponse {
  const certificateId = registry.certificateIdOfArn(certificateArn) as string;
  const thing = resolved.thing;
  if (thing) {
    if (!exists(() => registry.describeThing(thing.thingName)))
      registry.createThing({ thingName: thing.thingName, attributes: { ...thing.attributes } });
    for (const group of thing.thingGroups) registry.addThingToThingGroup(group, thing.thingName);
  }
  for (const policy of resolved.policies) {
    let policyName: string;
    if ('policyName' in policy) policyName = policy.policyName;
    else {
      policyName = `${templateName}_${policy.logicalId}`;
      if (!exists(() => registry.getPolicy(policyName)))
        rejectAwsError(() => registry.createPolicy(policyName, policy.document), 'InvalidParameters');
    }
    registry.attachPolicy(policyName, certificateArn);
  }
  if (thing) registry.attachThingPrincipal(thing.thingName, certificateArn);
  // Activated last: the certificate can connect only once its thing and policies are in place.
  registry.updateCertificate(certificateId, resolved.certificate?.status ?? 'ACTIVE');
  return { deviceConfiguration: resolved.deviceConfiguration, thingName: thing?.thingName ?? '' };
}

/** False when the lookup answers ResourceNotFoundException. */
function exists(lookup: () => unknown): boolean {
  try {
    lookup();
    return true;
  } catch (err) {
    if (err instanceof AwsError && err.code === 'ResourceNotFoundException') return false;
    throw err;
  }
}

function rejectAwsError<T>(call: () => T, code: ProvisioningErrorCode): T {
  try {
    return call();
  } catch (err) {
    if (err instanceof AwsError) throw new ProvisioningRejection(code, err.message);
    throw err;
  }
}
