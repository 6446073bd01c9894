/**
 * Fleet provisioning by claim on AWS IoT, from core's one definition (fleet-provisioning-template.ts):
 * the provisioning template devices register with, the role AWS IoT assumes to run it
 * (`provisioningRole`), and the claim policy a claim certificate gets. The claim certificate
 * itself is not deployed: its private key must not pass through CloudFormation, so the operator
 * creates it and attaches the policy (infra/README.md, "Fleet provisioning by claim").
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import {
  claimPolicyDocument,
  claimPolicyName,
  fleetProvisioningTemplateBody,
  fleetProvisioningTemplateName,
  provisioningRole,
} from '@fleet/core';
import { Construct } from 'constructs';

export interface FleetProvisioningProps {
  /**
   * The device policy the template attaches; the template must not reach AWS before it exists.
   */
  readonly devicePolicy: iot.CfnPolicy;
}

export class FleetProvisioning extends Construct {
  readonly template: iot.CfnProvisioningTemplate;
  readonly role: iam.Role;
  readonly claimPolicy: iot.CfnPolicy;

  constructor(scope: Construct, id: string, props: FleetProvisioningProps) {
    super(scope, id);
    const { region, account } = Stack.of(this);
    this.role = new iam.Role(this, 'ProvisioningRole', {
      assumedBy: new iam.ServicePrincipal(provisioningRole.assumedBy),
      description: provisioningRole.description,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(provisioningRole.managedPolicy)],
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${provisioningRole.managedPolicy}]`,
      reason:
        'AWS documents this managed policy for fleet provisioning roles: it holds the registry calls RegisterThing makes, and only AWS IoT can assume the role.',
    });
    this.claimPolicy = new iot.CfnPolicy(this, 'ClaimPolicy', {
      policyName: claimPolicyName,
      policyDocument: claimPolicyDocument(region, account),
    });
    this.template = new iot.CfnProvisioningTemplate(this, 'Template', {
      templateName: fleetProvisioningTemplateName,
      description: 'Fleet devices provisioned by claim: thing fleet-<SerialNumber>, Fleet device policy',
      templateBody: JSON.stringify(fleetProvisioningTemplateBody()),
      templateType: 'FLEET_PROVISIONING',
      enabled: true,
      provisioningRoleArn: this.role.roleArn,
    });
    this.template.addResourceDependency(props.devicePolicy);
  }
}
