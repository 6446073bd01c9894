/**
 * Composes the two stacks of the Fleet app. Called by `bin/app.ts` (with the validated context)
 * and by the tests (with fixed settings), so both synthesize the same thing.
 */
import type { App, RemovalPolicy } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { FleetConfig } from './config.ts';
import { PlatformStack } from './stacks/platform-stack.ts';
import { StatefulStack } from './stacks/stateful-stack.ts';

export interface FleetStacks {
  readonly stateful: StatefulStack;
  readonly platform: PlatformStack;
}

export interface CreateFleetOptions {
  readonly config: FleetConfig;
  /** Repository root: Docker build context of the service images. */
  readonly repositoryRoot: string;
  /**
   * Register the cdk-nag AwsSolutions pack on the app.
   * @default true
   */
  readonly nag?: boolean;
  /** @default RemovalPolicy.RETAIN for stateful resources */
  readonly removalPolicy?: RemovalPolicy;
}

export function createFleet(app: App, options: CreateFleetOptions): FleetStacks {
  const { config } = options;
  // Stack names fix the CloudFormation stack names; no env: the templates stay account- and region-agnostic.
  const stateful = new StatefulStack(app, `${config.stackPrefix}-stateful`, {
    description: 'Fleet: stateful resources (DynamoDB, S3, SQS, Cognito)',
    ...(options.removalPolicy ? { removalPolicy: options.removalPolicy } : {}),
    ...(config.domain ? { browserOrigins: [`https://${config.domain.domainName}`] } : {}),
  });
  const platform = new PlatformStack(app, `${config.stackPrefix}-platform`, {
    description: 'Fleet: Route 53 → CloudFront → API Gateway → ALBs → ECS, IoT rules, CloudWatch',
    stateful,
    repositoryRoot: options.repositoryRoot,
    ...(config.domain ? { domain: config.domain } : {}),
    ...(config.iotEndpoint ? { iotEndpoint: config.iotEndpoint } : {}),
    ...(config.dataServiceTuning ? { dataServiceTuning: config.dataServiceTuning } : {}),
  });
  platform.addStackDependency(stateful);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stateful, platform };
}
