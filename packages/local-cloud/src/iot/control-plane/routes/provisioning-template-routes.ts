/**
 * Control-plane routes of fleet provisioning templates (restJson1 paths of `@aws-sdk/client-iot`):
 * Create/Describe/List/Update/DeleteProvisioningTemplate and Create/List/Describe/DeleteProvisioningTemplateVersion.
 * Shapes follow the AWS IoT API reference; provisioning/provisioning-templates.ts decides.
 */
import type { ProvisioningTemplateRecord } from '../../provisioning/provisioning-template-store.ts';
import type { ProvisioningTemplates } from '../../provisioning/provisioning-templates.ts';
import { boolParam, epochSeconds, intParam, paginate, type RestRoute } from '../rest-json.ts';
import { invalid } from '../../registry/registry-context.ts';

/** AWS: ListProvisioningTemplates and ListProvisioningTemplateVersions page at most 250. */
const maxPage = 250;

export function provisioningTemplateRoutes(templates: ProvisioningTemplates): RestRoute[] {
  const name = (labels: Readonly<Record<string, string>>) => labels.templateName as string;
  const versionId = (labels: Readonly<Record<string, string>>) => {
    const id = Number(labels.versionId);
    if (!Number.isInteger(id)) throw invalid(`versionId must be an integer, received "${labels.versionId}"`);
    return id;
  };
  const summary = (t: ProvisioningTemplateRecord) => ({
    templateArn: t.templateArn,
    templateName: t.templateName,
    ...(t.description === undefined ? {} : { description: t.description }),
    creationDate: epochSeconds(t.creationDate),
    lastModifiedDate: epochSeconds(t.lastModifiedDate),
    enabled: t.enabled,
    type: t.type,
  });
  return [
    {
      method: 'POST',
      path: '/provisioning-templates',
      operation: async (req) => {
        const created = await templates.create(req.json());
        return { templateArn: created.templateArn, templateName: created.templateName, defaultVersionId: created.defaultVersionId };
      },
    },
    {
      method: 'GET',
      path: '/provisioning-templates',
      operation: (req) => {
        const { page, next } = paginate(templates.list(), req.query.get('nextToken'), intParam(req.query, 'maxResults'), maxPage);
        return { templates: page.map(summary), ...(next ? { nextToken: next } : {}) };
      },
    },
    {
      method: 'GET',
      path: '/provisioning-templates/{templateName}',
      operation: (req) => {
        const t = templates.get(name(req.labels));
        return {
          ...summary(t),
          defaultVersionId: t.defaultVersionId,
          templateBody: templates.defaultBody(t),
          provisioningRoleArn: t.provisioningRoleArn,
          ...(t.preProvisioningHook ? { preProvisioningHook: t.preProvisioningHook } : {}),
        };
      },
    },
    {
      method: 'PATCH',
      path: '/provisioning-templates/{templateName}',
      operation: async (req) => void (await templates.update(name(req.labels), req.json())),
    },
    {
      method: 'DELETE',
      path: '/provisioning-templates/{templateName}',
      operation: async (req) => void (await templates.delete(name(req.labels))),
    },
    {
      method: 'POST',
      path: '/provisioning-templates/{templateName}/versions',
      operation: async (req) => {
        const { record, versionId: created } = await templates.createVersion(
          name(req.labels),
          req.json().templateBody,
          boolParam(req.query, 'setAsDefault') ?? false,
        );
        return {
          templateArn: record.templateArn,
          templateName: record.templateName,
          versionId: created,
          isDefaultVersion: record.defaultVersionId === created,
        };
      },
    },
    {
      method: 'GET',
      path: '/provisioning-templates/{templateName}/versions',
      operation: (req) => {
        const t = templates.get(name(req.labels));
        const { page, next } = paginate(t.versions, req.query.get('nextToken'), intParam(req.query, 'maxResults'), maxPage);
        return {
          versions: page.map((v) => ({
            versionId: v.versionId,
            creationDate: epochSeconds(v.creationDate),
            isDefaultVersion: v.versionId === t.defaultVersionId,
          })),
          ...(next ? { nextToken: next } : {}),
        };
      },
    },
    {
      method: 'GET',
      path: '/provisioning-templates/{templateName}/versions/{versionId}',
      operation: (req) => {
        const t = templates.get(name(req.labels));
        const v = templates.version(t.templateName, versionId(req.labels));
        return {
          versionId: v.versionId,
          creationDate: epochSeconds(v.creationDate),
          templateBody: v.templateBody,
          isDefaultVersion: v.versionId === t.defaultVersionId,
        };
      },
    },
    {
      method: 'DELETE',
      path: '/provisioning-templates/{templateName}/versions/{versionId}',
      operation: async (req) => void (await templates.deleteVersion(name(req.labels), versionId(req.labels))),
    },
  ];
}
