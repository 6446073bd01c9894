/**
 * Diagram group "Application Layer / ECS Cluster": one Fargate service per `ServiceDefinition`,
 * each running its task in subnet N (the ALB spans all subnets; the service is what is pinned),
 * registered in target group N, with the environment built by the shared `serviceEnvironment`.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ServiceDefinition, ServiceEnvironment, ServiceName } from '@fleet/core';
import { monitoring } from '@fleet/core';
import { Construct } from 'constructs';

/** What one ECS service needs from the rest of the app. */
export interface ServiceWiring {
  readonly subnet: ec2.ISubnet;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  readonly environment: ServiceEnvironment;
  /** Least-privilege statements of the task role. */
  readonly taskPolicy: readonly iam.PolicyStatement[];
  readonly image: ecs.ContainerImage;
}

export interface ApplicationProps {
  readonly vpc: ec2.IVpc;
  readonly services: readonly ServiceDefinition[];
  readonly wiring: (service: ServiceDefinition) => ServiceWiring;
  /**
   * Tasks per service.
   * @default 1
   */
  readonly desiredCount?: number;
}

/** ECS service N with its task definition and log group. */
export interface ApplicationService {
  readonly definition: ServiceDefinition;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly logGroup: logs.LogGroup;
}

export class Application extends Construct {
  readonly cluster: ecs.Cluster;
  readonly byService: ReadonlyMap<ServiceName, ApplicationService>;

  constructor(scope: Construct, id: string, props: ApplicationProps) {
    super(scope, id);
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const byService = new Map<ServiceName, ApplicationService>();
    for (const definition of props.services) {
      const n = definition.index;
      const wiring = props.wiring(definition);
      const logGroup = new logs.LogGroup(this, `LogGroup${n}`, {
        logGroupName: monitoring.serviceLogGroup(definition.name),
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const taskDefinition = new ecs.FargateTaskDefinition(this, `Task${n}`, {
        cpu: definition.cpu,
        memoryLimitMiB: definition.memoryMiB,
        runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      });
      for (const statement of wiring.taskPolicy) taskDefinition.addToTaskRolePolicy(statement);
      const container = taskDefinition.addContainer(definition.name, {
        image: wiring.image,
        environment: { ...wiring.environment },
        portMappings: [{ containerPort: definition.port }],
        logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: definition.name }),
        // ECS ignores the Dockerfile HEALTHCHECK; this is the same probe. Liveness, not readiness: ECS
        // replaces a task that fails it, which cannot fix a dependency outage (@fleet/core health.ts).
        healthCheck: {
          command: [
            'CMD',
            'node',
            '-e',
            `fetch('http://127.0.0.1:${definition.port}${definition.livenessPath}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
          ],
          interval: Duration.seconds(15),
          timeout: Duration.seconds(5),
          retries: 3,
          startPeriod: Duration.seconds(20),
        },
      });
      const service = new ecs.FargateService(this, `Service${n}`, {
        cluster: this.cluster,
        taskDefinition,
        desiredCount: props.desiredCount ?? 1,
        // Subnet N only: the diagram's Subnet N → ECS Task N.
        vpcSubnets: { subnets: [wiring.subnet] },
        securityGroups: [wiring.securityGroup],
        // No NAT gateway: a public IP is how the task reaches ECR, CloudWatch Logs, SQS, IoT and Cognito.
        // Its security group admits only its load balancer.
        assignPublicIp: true,
        circuitBreaker: { rollback: true },
        minHealthyPercent: 100,
        healthCheckGracePeriod: Duration.seconds(30),
      });
      service.attachToApplicationTargetGroup(wiring.targetGroup);
      Validations.of(taskDefinition).acknowledge({
        id: 'AwsSolutions::AwsSolutions-ECS2',
        reason:
          'The variables are resource names and URLs from serviceEnvironment() (packages/core), the same the local launcher sets; no secret is among them.',
      });
      Validations.of(taskDefinition.obtainExecutionRole()).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken, added by ECS for image pulls, supports no resource-level permission: AWS forces "*".',
      });
      byService.set(definition.name, { definition, service, taskDefinition, container, logGroup });
    }
    this.byService = byService;
  }

  of(name: ServiceName): ApplicationService {
    const found = this.byService.get(name);
    if (!found) throw new Error(`Application: no service "${name}", have ${[...this.byService.keys()].join(', ')}`);
    return found;
  }
}
