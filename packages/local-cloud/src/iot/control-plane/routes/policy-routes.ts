/**
 * Control-plane routes of IoT policies and their attachments (restJson1 paths of
 * `@aws-sdk/client-iot`): CreatePolicy, GetPolicy, DeletePolicy, ListPolicies,
 * CreatePolicyVersion, AttachPolicy, DetachPolicy and ListAttachedPolicies. Shapes follow the AWS
 * IoT API reference; the registry (registry/policies.ts, registry/attachments.ts) decides.
 */
import type { IotRegistry } from '../../registry/iot-registry.ts';
import { boolParam, epochSeconds, intParam, paginate, requiredString, type RestRoute } from '../rest-json.ts';

/** AWS: pageSize up to 250. */
const maxPage = 250;

const policySummary = (p: { policyName: string; policyArn: string }) => ({ policyName: p.policyName, policyArn: p.policyArn });

export function policyRoutes(registry: IotRegistry): RestRoute[] {
  return [
    {
      method: 'POST',
      path: '/policies/{policyName}',
      operation: (req) => {
        const p = registry.createPolicy(req.labels.policyName as string, req.json().policyDocument);
        return {
          policyName: p.policyName,
          policyArn: p.policyArn,
          policyDocument: p.versions[0]?.document,
          policyVersionId: p.defaultVersionId,
        };
      },
    },
    {
      method: 'GET',
      path: '/policies/{policyName}',
      operation: (req) => {
        const { record, document } = registry.getPolicy(req.labels.policyName as string);
        return {
          policyName: record.policyName,
          policyArn: record.policyArn,
          policyDocument: document,
          defaultVersionId: record.defaultVersionId,
          creationDate: epochSeconds(record.creationDate),
          lastModifiedDate: epochSeconds(record.lastModifiedDate),
          generationId: String(record.lastModifiedDate),
        };
      },
    },
    { method: 'DELETE', path: '/policies/{policyName}', operation: (req) => registry.deletePolicy(req.labels.policyName as string) },
    {
      method: 'GET',
      path: '/policies',
      operation: (req) => {
        let policies = registry.listPolicies();
        if (boolParam(req.query, 'isAscendingOrder') === false) policies = policies.reverse();
        const { page, next } = paginate(policies, req.query.get('marker'), intParam(req.query, 'pageSize'), maxPage);
        return { policies: page.map(policySummary), ...(next ? { nextMarker: next } : {}) };
      },
    },
    {
      method: 'POST',
      path: '/policies/{policyName}/version',
      operation: (req) => {
        const v = registry.createPolicyVersion(
          req.labels.policyName as string,
          req.json().policyDocument,
          boolParam(req.query, 'setAsDefault') ?? false,
        );
        return {
          policyArn: v.record.policyArn,
          policyDocument: v.document,
          policyVersionId: v.versionId,
          isDefaultVersion: v.isDefaultVersion,
        };
      },
    },
    {
      method: 'GET',
      path: '/policies/{policyName}/version',
      operation: (req) => ({
        policyVersions: registry.listPolicyVersions(req.labels.policyName as string).map((v) => ({
          versionId: v.versionId,
          isDefaultVersion: v.isDefaultVersion,
          createDate: epochSeconds(v.createDate),
        })),
      }),
    },
    {
      method: 'DELETE',
      path: '/policies/{policyName}/version/{policyVersionId}',
      operation: (req) => registry.deletePolicyVersion(req.labels.policyName as string, req.labels.policyVersionId as string),
    },
    {
      method: 'PUT',
      path: '/target-policies/{policyName}',
      operation: (req) => registry.attachPolicy(req.labels.policyName as string, requiredString(req.json().target, 'target')),
    },
    {
      method: 'POST',
      path: '/target-policies/{policyName}',
      operation: (req) => registry.detachPolicy(req.labels.policyName as string, requiredString(req.json().target, 'target')),
    },
    {
      method: 'POST',
      path: '/attached-policies/{target}',
      operation: (req) => {
        const policies = registry.listAttachedPolicies(req.labels.target as string);
        const { page, next } = paginate(policies, req.query.get('marker'), intParam(req.query, 'pageSize'), maxPage);
        return { policies: page.map(policySummary), ...(next ? { nextMarker: next } : {}) };
      },
    },
  ];
}
