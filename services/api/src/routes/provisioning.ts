/**
 * `GET /api/provisioning` (operators and admins): Fleet's fleet provisioning template as IoT Core
 * holds it, read with DescribeProvisioningTemplate (the API task role may read that template only),
 * and the claim certificate's reach, for the Admin area's Provisioning section. When IoT Core does
 * not answer, the template part says why and the rest still shows.
 */
import { DescribeProvisioningTemplateCommand } from '@aws-sdk/client-iot';
import {
  claimPolicyName,
  claimThingNamePrefix,
  errorResponses,
  fleetProvisioningTemplateName,
  provisioningPaths,
  provisioningTopics,
  ProvisioningOverviewSchema,
  type ProvisioningTemplateParameter,
} from '@fleet/core';
import type { Logger } from 'pino';
import type { ApiClients } from '../aws-clients.ts';
import type { Authorizer } from '../auth/authorize.ts';
import { bearer, fleetWideErrors } from '../http/schemas.ts';
import { wholeFleetOnly } from '../auth/device-scope.ts';
import type { TypedApp } from '../http/typed-app.ts';

export interface ProvisioningRoutesDeps {
  readonly authorizer: Authorizer;
  readonly iot: ApiClients['iot'];
  readonly logger: Logger;
}

/** The parameters a template body declares; those named `AWS::...` IoT Core fills in itself. */
function parametersOf(templateBody: string | undefined): ProvisioningTemplateParameter[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(templateBody ?? '{}');
  } catch {
    return [];
  }
  const declared = (parsed as { Parameters?: Record<string, { Default?: unknown }> }).Parameters ?? {};
  return Object.entries(declared).map(([name, p]) => ({
    name,
    ...(typeof p.Default === 'string' ? { default: p.Default } : {}),
    fromDevice: !name.startsWith('AWS::'),
  }));
}

export function registerProvisioningRoutes(app: TypedApp, deps: ProvisioningRoutesDeps): void {
  const fleetOnly = wholeFleetOnly('Provisioning by claim (its devices join none of your groups)');
  app.get(
    provisioningPaths.provisioning,
    {
      onRequest: [deps.authorizer.require('manageDevices'), fleetOnly],
      schema: {
        tags: ['devices'],
        summary: "Fleet provisioning by claim: Fleet's provisioning template and what a claim certificate may do",
        security: bearer,
        response: { 200: ProvisioningOverviewSchema, ...errorResponses(...fleetWideErrors) },
      },
    },
    async () => {
      const claim = {
        policyName: claimPolicyName,
        topics: [
          provisioningTopics.createKeys,
          provisioningTopics.createFromCsr,
          provisioningTopics.registerThing(fleetProvisioningTemplateName),
        ],
        thingNamePrefix: claimThingNamePrefix,
      };
      try {
        const t = await deps.iot.send(new DescribeProvisioningTemplateCommand({ templateName: fleetProvisioningTemplateName }));
        return {
          template: {
            name: t.templateName ?? fleetProvisioningTemplateName,
            ...(t.description ? { description: t.description } : {}),
            enabled: t.enabled === true,
            defaultVersionId: t.defaultVersionId ?? 1,
            ...(t.lastModifiedDate ? { lastModifiedDate: t.lastModifiedDate.toISOString() } : {}),
            parameters: parametersOf(t.templateBody),
            preProvisioningHook: t.preProvisioningHook !== undefined,
          },
          claim,
        };
      } catch (err) {
        deps.logger.warn({ err }, 'provisioning: DescribeProvisioningTemplate failed');
        const reason =
          (err as { name?: string }).name === 'ResourceNotFoundException' ? 'The template is not deployed' : 'IoT Core did not answer';
        return { template: { available: false as const, reason }, claim };
      }
    },
  );
}
