/**
 * Provisioning template operations of the AWS IoT API reference: CreateProvisioningTemplate,
 * DescribeProvisioningTemplate, ListProvisioningTemplates, UpdateProvisioningTemplate,
 * DeleteProvisioningTemplate and their versions (Create/List/Describe/DeleteProvisioningTemplateVersion,
 * at most 5 versions, the default one not deletable). The body is checked when it is given
 * (template-body.ts), so RegisterThing runs only templates the local cloud can run.
 *
 * Pre-provisioning hooks: AWS calls a Lambda function; the local cloud has no Lambda runtime, so a
 * hook's `targetArn` is an `http(s)://` URL here, POSTed the same request document (register-thing.ts).
 */
import { provisioningTemplateNamePattern } from '@fleet/core';
import { AwsError } from '../../aws-endpoint/index.ts';
import { roleArnPattern } from '../rules/validate-topic-rule-payload.ts';
import { parseTemplateBody, TemplateBodyError } from './template-body.ts';
import type { ProvisioningHookRecord, ProvisioningTemplateRecord, ProvisioningTemplateStore } from './provisioning-template-store.ts';

/** AWS: at most 5 versions of a fleet provisioning template. */
export const maxTemplateVersions = 5;

const invalid = (message: string) => new AwsError('InvalidRequestException', message, 400);
const notFound = (message: string) => new AwsError('ResourceNotFoundException', message, 404);

export interface CreateTemplateInput {
  readonly templateName?: unknown;
  readonly templateBody?: unknown;
  readonly provisioningRoleArn?: unknown;
  readonly description?: unknown;
  readonly enabled?: unknown;
  readonly preProvisioningHook?: unknown;
  readonly type?: unknown;
}

export interface UpdateTemplateInput {
  readonly description?: unknown;
  readonly enabled?: unknown;
  readonly defaultVersionId?: unknown;
  readonly provisioningRoleArn?: unknown;
  readonly preProvisioningHook?: unknown;
  readonly removePreProvisioningHook?: unknown;
}

export type ProvisioningTemplates = ReturnType<typeof createProvisioningTemplates>;

export function createProvisioningTemplates(options: {
  readonly store: ProvisioningTemplateStore;
  readonly arn: (templateName: string) => string;
  readonly now?: () => number;
}) {
  const { store } = options;
  const now = options.now ?? Date.now;
  const save = (record: ProvisioningTemplateRecord) => store.commit({ ...store.templates, [record.templateName]: record });

  function get(templateName: string): ProvisioningTemplateRecord {
    const found = Object.hasOwn(store.templates, templateName) ? store.templates[templateName] : undefined;
    if (!found) throw notFound(`The provisioning template ${templateName} does not exist.`);
    return found;
  }

  return {
    get,
    /** The template body of the default version. */
    defaultBody(record: ProvisioningTemplateRecord): string {
      return record.versions.find((v) => v.versionId === record.defaultVersionId)?.templateBody ?? '';
    },
    list: (): ProvisioningTemplateRecord[] => Object.values(store.templates).sort((a, b) => a.templateName.localeCompare(b.templateName)),

    async create(input: CreateTemplateInput): Promise<ProvisioningTemplateRecord> {
      const templateName = requiredString(input.templateName, 'templateName');
      if (!provisioningTemplateNamePattern.test(templateName))
        throw invalid(`templateName "${templateName}" must match [0-9A-Za-z_-]{1,36}`);
      if (Object.hasOwn(store.templates, templateName)) {
        throw new AwsError('ResourceAlreadyExistsException', `The provisioning template ${templateName} already exists.`, 409, {});
      }
      const type = input.type ?? 'FLEET_PROVISIONING';
      if (type !== 'FLEET_PROVISIONING' && type !== 'JITP') throw invalid(`type "${String(type)}" must be FLEET_PROVISIONING or JITP`);
      const hook = input.preProvisioningHook === undefined ? undefined : provisioningHook(input.preProvisioningHook);
      if (hook && type === 'JITP') throw invalid('A JITP template cannot have a pre-provisioning hook');
      const at = now();
      const record: ProvisioningTemplateRecord = {
        templateName,
        templateArn: options.arn(templateName),
        ...optionalDescription(input.description),
        enabled: optionalBoolean(input.enabled, 'enabled') ?? false,
        provisioningRoleArn: roleArn(input.provisioningRoleArn),
        ...(hook ? { preProvisioningHook: hook } : {}),
        type,
        defaultVersionId: 1,
        versions: [{ versionId: 1, templateBody: templateBody(input.templateBody), creationDate: at }],
        creationDate: at,
        lastModifiedDate: at,
      };
      await save(record);
      return record;
    },

    async update(templateName: string, input: UpdateTemplateInput): Promise<void> {
      const record = get(templateName);
      const defaultVersionId = optionalInteger(input.defaultVersionId, 'defaultVersionId');
      if (defaultVersionId !== undefined && !record.versions.some((v) => v.versionId === defaultVersionId)) {
        throw notFound(`Version ${defaultVersionId} of the provisioning template ${templateName} does not exist.`);
      }
      const remove = optionalBoolean(input.removePreProvisioningHook, 'removePreProvisioningHook') === true;
      const hook = input.preProvisioningHook === undefined ? record.preProvisioningHook : provisioningHook(input.preProvisioningHook);
      const { preProvisioningHook: _dropped, ...rest } = record;
      await save({
        ...rest,
        ...(input.description === undefined ? {} : optionalDescription(input.description)),
        enabled: optionalBoolean(input.enabled, 'enabled') ?? record.enabled,
        ...(defaultVersionId === undefined ? {} : { defaultVersionId }),
        provisioningRoleArn: input.provisioningRoleArn === undefined ? record.provisioningRoleArn : roleArn(input.provisioningRoleArn),
        ...(hook && !remove ? { preProvisioningHook: hook } : {}),
        lastModifiedDate: now(),
      });
    },

    async delete(templateName: string): Promise<void> {
      get(templateName);
      const { [templateName]: _deleted, ...rest } = store.templates;
      await store.commit(rest);
    },

    async createVersion(
      templateName: string,
      body: unknown,
      setAsDefault: boolean,
    ): Promise<{ record: ProvisioningTemplateRecord; versionId: number }> {
      const record = get(templateName);
      if (record.versions.length >= maxTemplateVersions) {
        throw new AwsError(
          'VersionsLimitExceededException',
          `The provisioning template ${templateName} already has ${maxTemplateVersions} versions.`,
          409,
        );
      }
      const versionId = Math.max(...record.versions.map((v) => v.versionId)) + 1;
      const at = now();
      const next: ProvisioningTemplateRecord = {
        ...record,
        versions: [...record.versions, { versionId, templateBody: templateBody(body), creationDate: at }],
        ...(setAsDefault ? { defaultVersionId: versionId } : {}),
        lastModifiedDate: at,
      };
      await save(next);
      return { record: next, versionId };
    },

    version(templateName: string, versionId: number) {
      const found = get(templateName).versions.find((v) => v.versionId === versionId);
      if (!found) throw notFound(`Version ${versionId} of the provisioning template ${templateName} does not exist.`);
      return found;
    },

    async deleteVersion(templateName: string, versionId: number): Promise<void> {
      const record = get(templateName);
      if (!record.versions.some((v) => v.versionId === versionId)) {
        throw notFound(`Version ${versionId} of the provisioning template ${templateName} does not exist.`);
      }
      if (record.defaultVersionId === versionId) {
        throw new AwsError('DeleteConflictException', `Version ${versionId} is the default version of ${templateName}.`, 409);
      }
      await save({ ...record, versions: record.versions.filter((v) => v.versionId !== versionId) });
    },
  };
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(`${name} is required`);
  return value;
}

function templateBody(value: unknown): string {
  const text = requiredString(value, 'templateBody');
  try {
    parseTemplateBody(text);
  } catch (err) {
    if (err instanceof TemplateBodyError) throw invalid(`Invalid template body: ${err.message}`);
    throw err;
  }
  return text;
}

function roleArn(value: unknown): string {
  const arn = requiredString(value, 'provisioningRoleArn');
  if (!roleArnPattern.test(arn)) throw invalid(`provisioningRoleArn "${arn}" must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  return arn;
}

function provisioningHook(value: unknown): ProvisioningHookRecord {
  const hook = value as { targetArn?: unknown; payloadVersion?: unknown } | null;
  const targetArn = requiredString(hook?.targetArn, 'preProvisioningHook.targetArn');
  if (!/^https?:\/\//.test(targetArn)) {
    throw invalid(`preProvisioningHook.targetArn "${targetArn}": the local cloud has no Lambda runtime; give an http(s):// URL to POST to`);
  }
  const payloadVersion = hook?.payloadVersion;
  if (payloadVersion !== undefined && payloadVersion !== '2020-04-01')
    throw invalid('preProvisioningHook.payloadVersion must be 2020-04-01');
  return { targetArn, ...(payloadVersion === undefined ? {} : { payloadVersion }) };
}

function optionalDescription(value: unknown): { description?: string } {
  if (value === undefined) return {};
  if (typeof value !== 'string' || value.length > 500) throw invalid('description must be a string of at most 500 characters');
  return { description: value };
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalid(`${name} must be a boolean`);
  return value;
}

function optionalInteger(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value)) throw invalid(`${name} must be an integer`);
  return value as number;
}
