/**
 * Fleet's provisioning template and claim policy, defined once: the local launcher creates them
 * through CreateProvisioningTemplate / CreatePolicy, CDK deploys them as `AWS::IoT::ProvisioningTemplate`
 * and `AWS::IoT::Policy`. The template body follows AWS's provisioning template format
 * (https://docs.aws.amazon.com/iot/latest/developerguide/provision-template.html).
 */
import type { IotPolicyDocument } from './iot-policies.ts';
import { devicePolicyName } from './iot-policies.ts';
import { provisioningTopics } from './fleet-provisioning-topics.ts';
import { topics } from './topics.ts';

/** The template devices name in `$aws/provisioning-templates/<name>/provision/json`. */
export const fleetProvisioningTemplateName = 'fleet-claim';
/** The policy attached to the claim certificate: the three provisioning flows and nothing else. */
export const claimPolicyName = 'fleet-claim';
/** The IAM role IoT Core assumes to run the template (AWS's `provisioningRoleArn`). */
export const provisioningRoleName = 'fleet-provisioning';
/** A claim-provisioned device is the thing `<prefix><SerialNumber>`: its Fleet device id. */
export const claimThingNamePrefix = 'fleet-';
/**
 * Serial numbers the template accepts: with the prefix, the thing name stays a Fleet device id
 * (core's `deviceIdPattern`: at most 64 characters of `[a-zA-Z0-9_-]`).
 */
export const serialNumberPattern = /^[a-zA-Z0-9_-]{1,58}$/;
/**
 * The thing attribute that marks a claim-provisioned device: the API Service adopts such things into
 * its device registry (docs/adr/0002-claim-provisioned-devices.md).
 */
export const claimProvisionedAttribute = { name: 'provisionedBy', value: 'claim' } as const;
/** The owner a claim-provisioned device is registered with (no user registered it). */
export const claimProvisioningOwner = { ownerId: 'fleet-provisioning', ownerName: 'fleet provisioning (claim)' } as const;

/** A value of a template: a literal or an intrinsic function (`Ref`, `Fn::Join`, `Fn::Sub`, ...). */
export type TemplateValue = string | readonly TemplateValue[] | { readonly [fn: string]: TemplateValue };

export interface ProvisioningTemplateBody {
  readonly Parameters?: Readonly<Record<string, { readonly Type: 'String'; readonly Default?: string }>>;
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties: Readonly<Record<string, TemplateValue>> }>>;
  readonly DeviceConfiguration?: Readonly<Record<string, TemplateValue>>;
}

const serial = { Ref: 'SerialNumber' } as const;

/**
 * Fleet's template: the thing `fleet-<SerialNumber>` with its serial and origin as attributes, the
 * certificate the device created over MQTT made ACTIVE, and Fleet's device policy attached. The
 * device configuration tells the device its telemetry topic.
 */
export function fleetProvisioningTemplateBody(): ProvisioningTemplateBody {
  return {
    Parameters: {
      SerialNumber: { Type: 'String' },
      'AWS::IoT::Certificate::Id': { Type: 'String' },
    },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: {
          ThingName: { 'Fn::Join': ['', [claimThingNamePrefix, serial]] },
          AttributePayload: { serialNumber: serial, [claimProvisionedAttribute.name]: claimProvisionedAttribute.value },
        },
      },
      certificate: {
        Type: 'AWS::IoT::Certificate',
        Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' },
      },
      policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: devicePolicyName } },
    },
    DeviceConfiguration: {
      telemetryTopic: { 'Fn::Sub': topics.telemetry(`${claimThingNamePrefix}\${SerialNumber}`) },
    },
  };
}

/** The thing (and Fleet device id) a serial number provisions as. */
export const claimThingName = (serialNumber: string) => `${claimThingNamePrefix}${serialNumber}`;

/**
 * The claim certificate's policy, as AWS's fleet provisioning guide draws it: connect with any
 * client id (one claim certificate serves a whole batch), and publish, subscribe and receive on the
 * three flows' topics only. Any other publish closes the connection.
 */
export function claimPolicyDocument(region: string, account: string, templateName = fleetProvisioningTemplateName): IotPolicyDocument {
  const arn = (kind: string, name: string) => `arn:aws:iot:${region}:${account}:${kind}/${name}`;
  const flows = [
    `${provisioningTopics.createKeys}*`,
    `${provisioningTopics.createFromCsr}*`,
    `${provisioningTopics.registerThing(templateName)}*`,
  ];
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', '*') },
      { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: flows.map((t) => arn('topic', t)) },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: flows.map((t) => arn('topicfilter', t)) },
    ],
  };
}
