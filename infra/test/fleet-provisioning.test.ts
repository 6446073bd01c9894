/**
 * Template tests of fleet provisioning by claim on AWS: the provisioning template is core's
 * definition, enabled, run by a role only AWS IoT assumes (AWS's managed registration policy), and
 * the claim policy allows the three provisioning flows and nothing else.
 */
import { claimPolicyName, fleetProvisioningTemplateBody, fleetProvisioningTemplateName } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { synthesizeFleet } from './synthesize.ts';

const { platform } = synthesizeFleet();

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; DependsOn?: string[] }>;
const resources = platform.toJSON().Resources as Resources;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('fleet provisioning by claim on AWS', () => {
  it("deploys core's template, enabled, after the device policy it attaches", () => {
    const [[, template] = []] = ofType('AWS::IoT::ProvisioningTemplate');
    expect(template?.Properties).toMatchObject({
      TemplateName: fleetProvisioningTemplateName,
      TemplateType: 'FLEET_PROVISIONING',
      Enabled: true,
    });
    expect(JSON.parse(template?.Properties?.TemplateBody as string)).toEqual(fleetProvisioningTemplateBody());
    const devicePolicyId = ofType('AWS::IoT::Policy').find(([, r]) => r.Properties?.PolicyName === 'fleet-device')?.[0];
    expect(template?.DependsOn).toContain(devicePolicyId);
  });

  it('runs the template with a role only AWS IoT assumes, holding the registration policy', () => {
    const [[, template] = []] = ofType('AWS::IoT::ProvisioningTemplate');
    const roleId = (template?.Properties?.ProvisioningRoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
    const role = resources[roleId];
    expect(role?.Properties?.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'iot.amazonaws.com' } },
    ]);
    expect(JSON.stringify(role?.Properties?.ManagedPolicyArns)).toContain(':iam::aws:policy/service-role/AWSIoTThingsRegistration');
  });

  it('gives the claim policy the three provisioning flows only', () => {
    const claim = ofType('AWS::IoT::Policy').find(([, r]) => r.Properties?.PolicyName === claimPolicyName)?.[1];
    const statements = claim?.Properties?.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    const resourcesOf = (action: string) =>
      JSON.stringify(statements.filter((s) => [s.Action].flat().includes(action)).map((s) => s.Resource));
    for (const action of ['iot:Publish', 'iot:Receive', 'iot:Subscribe']) {
      const granted = resourcesOf(action);
      expect(granted).toContain('$aws/certificates/create/json*');
      expect(granted).toContain('$aws/certificates/create-from-csr/json*');
      expect(granted).toContain(`$aws/provisioning-templates/${fleetProvisioningTemplateName}/provision/json*`);
      expect(granted).not.toContain('fleet/');
    }
  });
});
