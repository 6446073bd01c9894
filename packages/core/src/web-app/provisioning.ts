/**
 * `GET /api/provisioning`: fleet provisioning by claim as the Admin area's Provisioning section shows
 * it: Fleet's template as IoT Core holds it (DescribeProvisioningTemplate) and what a claim certificate
 * may do. Operators and admins (`manageDevices`).
 */
import { Type, type Static } from 'typebox';

export const provisioningPaths = { provisioning: '/api/provisioning' } as const;

export const ProvisioningTemplateParameterSchema = Type.Object({
  name: Type.String({ maxLength: 256 }),
  default: Type.Optional(Type.String({ maxLength: 2048 })),
  /** The device sends it in RegisterThing (AWS:: parameters are filled in by IoT Core). */
  fromDevice: Type.Boolean(),
});

export type ProvisioningTemplateParameter = Static<typeof ProvisioningTemplateParameterSchema>;

export const ProvisioningOverviewSchema = Type.Object({
  template: Type.Union([
    Type.Object({
      name: Type.String({ maxLength: 36 }),
      description: Type.Optional(Type.String({ maxLength: 500 })),
      enabled: Type.Boolean(),
      defaultVersionId: Type.Integer(),
      lastModifiedDate: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
      parameters: Type.Array(ProvisioningTemplateParameterSchema, { maxItems: 100 }),
      preProvisioningHook: Type.Boolean({ description: 'Whether a pre-provisioning hook decides each registration' }),
    }),
    Type.Object({ available: Type.Literal(false), reason: Type.String({ maxLength: 1024 }) }),
  ]),
  claim: Type.Object({
    policyName: Type.String({ maxLength: 128 }),
    /** The MQTT topics a claim certificate may use, and nothing else. */
    topics: Type.Array(Type.String({ maxLength: 256 }), { maxItems: 10 }),
    thingNamePrefix: Type.String({ maxLength: 64, description: 'A device provisioned with SerialNumber s is the thing <prefix>s' }),
  }),
});
export type ProvisioningOverview = Static<typeof ProvisioningOverviewSchema>;
