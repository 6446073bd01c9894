/**
 * Template tests: every node and edge of the seed diagram as real resources and references in the
 * synthesized CloudFormation, and the least rights of every role. One synthesis for the file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Token } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import {
  alarms,
  dataServiceMetrics,
  serviceMetricDimensions,
  bucketLifecycleRules,
  defaultRetention,
  browserPolicyNameFor,
  devicePolicyName,
  ingestQueue,
  monitoring,
  cognitoPasswordPolicy,
  rules,
  serviceConfigSchemas,
  serviceEnvironment,
  variableNames,
  services,
  tables,
  taskRoleStatements,
  telemetryBucket,
  tokenValidity,
  topics,
  userPoolGroups,
} from '@fleet/core';
import type { ResourceReferences } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { pinnedNodeVersion } from '../lib/node-runtime.ts';
import { repositoryRoot, synthesizeFleet, testDomain } from './synthesize.ts';

const fleet = synthesizeFleet({ domain: testDomain });
const { platform, stateful } = fleet;

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any>; DeletionPolicy?: string }
>;
const resourcesOf = (t: Template) => t.toJSON().Resources as Resources;

/** Logical id of the resource whose construct path ends with `suffix` (exactly one). */
function idAt(t: Template, suffix: string): string {
  const found = Object.entries(resourcesOf(t)).filter(([, r]) => String(r.Metadata?.['aws:cdk:path'] ?? '').endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one resource at …${suffix}, found ${found.length}`);
  return found[0]![0];
}
const propsAt = (t: Template, suffix: string) => resourcesOf(t)[idAt(t, suffix)]!.Properties ?? {};
/** The export name a platform value imports from the stateful stack's resource at `suffix`. */
const importOf = (suffix: string) => ({
  'Fn::ImportValue': Match.stringLikeRegexp(`^fleet-stateful:ExportsOutput.*${idAt(stateful, suffix)}`),
});
const ref = (t: Template, suffix: string) => ({ Ref: idAt(t, suffix) });
const policyOfRole = (t: Template, roleSuffix: string) =>
  Object.values(resourcesOf(t)).filter(
    (r) => r.Type === 'AWS::IAM::Policy' && (r.Properties?.Roles ?? []).some((x: any) => x.Ref === idAt(t, roleSuffix)),
  );
const statementsOfRole = (t: Template, roleSuffix: string): any[] =>
  policyOfRole(t, roleSuffix).flatMap((p) => p.Properties!.PolicyDocument.Statement);
const actionsOf = (statements: any[]): string[] => statements.flatMap((s) => [s.Action].flat());

describe('Route 53 (traffic)', () => {
  it('creates a public hosted zone for the custom domain', () => {
    platform.hasResourceProperties('AWS::Route53::HostedZone', { Name: 'fleet.example.com.' });
    expect(propsAt(platform, 'Traffic/Zone/Resource').VPCs).toBeUndefined();
  });

  it('points A and AAAA alias records at the CloudFront distribution', () => {
    for (const type of ['A', 'AAAA']) {
      platform.hasResourceProperties('AWS::Route53::RecordSet', {
        Type: type,
        Name: 'fleet.example.com.',
        HostedZoneId: ref(platform, 'Traffic/Zone/Resource'),
        AliasTarget: { DNSName: { 'Fn::GetAtt': [idAt(platform, 'Cdn/Distribution/Resource'), 'DomainName'] } },
      });
    }
  });

  it('imports an existing zone by id without a lookup when one is given', () => {
    const withZone = synthesizeFleet({ domain: { ...testDomain, hostedZone: { id: 'Z0123456789ABC', name: 'example.com' } } });
    withZone.platform.resourceCountIs('AWS::Route53::HostedZone', 0);
    withZone.platform.hasResourceProperties('AWS::Route53::RecordSet', { HostedZoneId: 'Z0123456789ABC', Name: 'fleet.example.com.' });
  });
});

describe('CloudFront (CDN)', () => {
  const config = () => propsAt(platform, 'Cdn/Distribution/Resource').DistributionConfig;

  it('has the API Gateway endpoint as its only origin, over HTTPS', () => {
    expect(config().Origins).toHaveLength(1);
    expect(config().Origins[0].DomainName).toEqual({
      'Fn::Join': [
        '',
        [ref(platform, 'ApiGateway/HttpApi/Resource'), '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }],
      ],
    });
    expect(config().Origins[0].CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
  });

  it('does not cache API responses and forwards every viewer header except Host', () => {
    expect(config().DefaultCacheBehavior).toMatchObject({
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
      ViewerProtocolPolicy: 'redirect-to-https',
    });
  });

  it('serves the custom domain with the us-east-1 certificate and TLS 1.2', () => {
    expect(config().Aliases).toEqual(['fleet.example.com']);
    expect(config().ViewerCertificate).toMatchObject({
      AcmCertificateArn: testDomain.certificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
    });
  });
});

describe('API Gateway', () => {
  const routes = () => Object.values(resourcesOf(platform)).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
  const route = (key: string) => {
    const found = routes().find((r) => r.Properties!.RouteKey === key);
    if (!found)
      throw new Error(
        `no route ${key}; have ${routes()
          .map((r) => r.Properties!.RouteKey)
          .join(', ')}`,
      );
    return found.Properties!;
  };
  const integrationOf = (key: string) => {
    const target = route(key).Target['Fn::Join'][1][1].Ref as string;
    return resourcesOf(platform)[target]!.Properties!;
  };

  it('routes $default → LB1, /api/* → LB2 and /data/* → LB3 through one VPC link', () => {
    const expected: Record<string, number> = { $default: 1, 'ANY /api/{proxy+}': 2, 'ANY /data/{proxy+}': 3 };
    for (const [key, n] of Object.entries(expected)) {
      expect(integrationOf(key)).toMatchObject({
        IntegrationType: 'HTTP_PROXY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: ref(platform, 'ApiGateway/VpcLink/Resource'),
        IntegrationUri: ref(platform, `LoadBalancers/LB${n}/Listener${n}/Resource`),
      });
    }
  });

  it('places the VPC link in all three subnets with its own security group', () => {
    platform.hasResourceProperties('AWS::ApiGatewayV2::VpcLink', {
      SubnetIds: [1, 2, 3].map((n) => ref(platform, `Network/Vpc/publicSubnet${n}/Subnet`)),
      SecurityGroupIds: [{ 'Fn::GetAtt': [idAt(platform, 'Network/VpcLinkSecurityGroup/Resource'), 'GroupId'] }],
    });
  });

  it('guards /api/* and /data/* with a Cognito JWT authorizer for the app client', () => {
    platform.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: {
        Audience: [importOf('Auth/UserPool/WebClient/Resource')],
        Issuer: {
          'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', importOf('Auth/UserPool/Resource')]],
        },
      },
    });
    const authorizerId = idAt(platform, 'ApiGateway/HttpApi/CognitoAuthorizer/Resource');
    for (const key of ['ANY /api/{proxy+}', 'ANY /data/{proxy+}']) {
      expect(route(key)).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    }
  });

  it('gives public paths their own routes without authorizer, to the same load balancer', () => {
    for (const [path, n] of [
      ['/api/health', 2],
      ['/api/docs', 2],
      ['/api/openapi.json', 2],
      ['/data/health', 3],
    ] as const) {
      for (const key of [`ANY ${path}`, `ANY ${path}/{proxy+}`]) {
        expect(route(key).AuthorizationType).toBe('NONE');
        expect(integrationOf(key).IntegrationUri).toEqual(ref(platform, `LoadBalancers/LB${n}/Listener${n}/Resource`));
      }
    }
    expect(route('$default').AuthorizationType).toBe('NONE');
  });

  it('logs every request of the $default stage', () => {
    platform.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [idAt(platform, 'ApiGateway/AccessLogs/Resource'), 'Arn'] } },
    });
  });
});

describe('VPC (network)', () => {
  it('has three public subnets in three AZs chosen at deploy time', () => {
    platform.resourceCountIs('AWS::EC2::Subnet', 3);
    for (const n of [1, 2, 3]) {
      expect(propsAt(platform, `Network/Vpc/publicSubnet${n}/Subnet`)).toMatchObject({
        AvailabilityZone: { 'Fn::Select': [n - 1, { 'Fn::GetAZs': '' }] },
        MapPublicIpOnLaunch: false,
      });
    }
  });

  it('routes 0.0.0.0/0 of every subnet route table to the Internet Gateway, with no NAT gateway', () => {
    platform.resourceCountIs('AWS::EC2::NatGateway', 0);
    platform.hasResourceProperties('AWS::EC2::VPCGatewayAttachment', { InternetGatewayId: ref(platform, 'Network/Vpc/IGW') });
    for (const n of [1, 2, 3]) {
      platform.hasResourceProperties('AWS::EC2::Route', {
        RouteTableId: ref(platform, `Network/Vpc/publicSubnet${n}/RouteTable`),
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: ref(platform, 'Network/Vpc/IGW'),
      });
      platform.hasResourceProperties('AWS::EC2::SubnetRouteTableAssociation', {
        RouteTableId: ref(platform, `Network/Vpc/publicSubnet${n}/RouteTable`),
        SubnetId: ref(platform, `Network/Vpc/publicSubnet${n}/Subnet`),
      });
    }
  });

  it('reaches S3 and DynamoDB through free gateway endpoints', () => {
    const endpoints = Object.values(resourcesOf(platform)).filter((r) => r.Type === 'AWS::EC2::VPCEndpoint');
    expect(endpoints.map((e) => e.Properties!.VpcEndpointType ?? 'Gateway')).toEqual(['Gateway', 'Gateway']);
    expect(JSON.stringify(endpoints)).toMatch(/s3/);
    expect(JSON.stringify(endpoints)).toMatch(/dynamodb/);
  });

  it('admits no inbound traffic from the internet into any security group', () => {
    for (const r of Object.values(resourcesOf(platform)).filter((x) => x.Type === 'AWS::EC2::SecurityGroup')) {
      for (const rule of r.Properties!.SecurityGroupIngress ?? []) expect(rule.CidrIp).not.toBe('0.0.0.0/0');
    }
    for (const r of Object.values(resourcesOf(platform)).filter((x) => x.Type === 'AWS::EC2::SecurityGroupIngress')) {
      expect(r.Properties!.CidrIp).toBeUndefined();
      expect(r.Properties!.SourceSecurityGroupId).toBeDefined();
    }
  });

  it('chains security groups: VPC link → load balancer N → service N', () => {
    for (const s of services) {
      const n = s.index;
      platform.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [idAt(platform, `LoadBalancers/LB${n}/SecurityGroup/Resource`), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [idAt(platform, 'Network/VpcLinkSecurityGroup/Resource'), 'GroupId'] },
        FromPort: 80,
      });
      platform.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [idAt(platform, `Network/ServiceSecurityGroup${n}/Resource`), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [idAt(platform, `LoadBalancers/LB${n}/SecurityGroup/Resource`), 'GroupId'] },
        FromPort: s.port,
        ToPort: s.port,
      });
    }
  });

  it('lets the API Service reach the Data Service through load balancer 3 only', () => {
    platform.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [idAt(platform, 'LoadBalancers/LB3/SecurityGroup/Resource'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [idAt(platform, 'Network/ServiceSecurityGroup2/Resource'), 'GroupId'] },
    });
  });
});

describe('load balancers', () => {
  it('are three internal ALBs spanning all subnets', () => {
    platform.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 3);
    for (const n of [1, 2, 3]) {
      expect(propsAt(platform, `LoadBalancers/LB${n}/Resource`)).toMatchObject({
        Scheme: 'internal',
        Type: 'application',
        Subnets: [1, 2, 3].map((i) => ref(platform, `Network/Vpc/publicSubnet${i}/Subnet`)),
      });
    }
  });

  it('listener N forwards to target group N, which health-checks service N', () => {
    for (const s of services) {
      const n = s.index;
      expect(propsAt(platform, `LoadBalancers/LB${n}/Listener${n}/Resource`)).toMatchObject({
        LoadBalancerArn: ref(platform, `LoadBalancers/LB${n}/Resource`),
        DefaultActions: [{ Type: 'forward', TargetGroupArn: ref(platform, `LoadBalancers/TargetGroup${n}/Resource`) }],
      });
      expect(propsAt(platform, `LoadBalancers/TargetGroup${n}/Resource`)).toMatchObject({
        TargetType: 'ip',
        Port: s.port,
        // Liveness: a dependency outage must not make ECS replace tasks in a loop (@fleet/core health.ts).
        HealthCheckPath: s.livenessPath,
      });
    }
  });
});

describe('ECS (application)', () => {
  it('target group N → ECS service N, running in subnet N only with its security group', () => {
    for (const s of services) {
      const n = s.index;
      expect(propsAt(platform, `Application/Service${n}/Service`)).toMatchObject({
        Cluster: ref(platform, 'Application/Cluster/Resource'),
        LaunchType: 'FARGATE',
        TaskDefinition: ref(platform, `Application/Task${n}/Resource`),
        LoadBalancers: [
          { ContainerName: s.name, ContainerPort: s.port, TargetGroupArn: ref(platform, `LoadBalancers/TargetGroup${n}/Resource`) },
        ],
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            AssignPublicIp: 'ENABLED',
            Subnets: [ref(platform, `Network/Vpc/publicSubnet${n}/Subnet`)],
            SecurityGroups: [{ 'Fn::GetAtt': [idAt(platform, `Network/ServiceSecurityGroup${n}/Resource`), 'GroupId'] }],
          },
        },
      });
    }
  });

  it("scales the Data Service on the ingest queue's backlog, within core's queueScaling", () => {
    const data = services.find((s) => s.name === 'data')!;
    const scaling = data.queueScaling!;
    expect(propsAt(platform, 'Application/Service3/TaskCount/Target/Resource')).toMatchObject({
      MinCapacity: scaling.minTasks,
      MaxCapacity: scaling.maxTasks,
      ScalableDimension: 'ecs:service:DesiredCount',
      ServiceNamespace: 'ecs',
    });
    const backlog = {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      // The ingest queue of the stateful stack, by name.
      Dimensions: [
        {
          Name: 'QueueName',
          Value: {
            'Fn::ImportValue': expect.stringMatching(
              `^fleet-stateful:ExportsOutput.*${idAt(stateful, 'Storage/FleetIngest/Resource')}QueueName`,
            ),
          },
        },
      ],
      Statistic: 'Maximum',
      Period: 60,
    };
    const policy = (which: 'Upper' | 'Lower') =>
      ref(platform, `Application/Service3/TaskCount/Target/IngestBacklog/${which}Policy/Resource`);
    expect(propsAt(platform, 'IngestBacklog/UpperAlarm/Resource')).toMatchObject({
      ...backlog,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: scaling.scaleOutAt,
      AlarmActions: [policy('Upper')],
    });
    expect(propsAt(platform, 'IngestBacklog/LowerAlarm/Resource')).toMatchObject({
      ...backlog,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      Threshold: scaling.scaleInBelow,
      AlarmActions: [policy('Lower')],
    });
    const steps = (which: 'Upper' | 'Lower') =>
      propsAt(platform, `IngestBacklog/${which}Policy/Resource`).StepScalingPolicyConfiguration.StepAdjustments.map(
        (s: { ScalingAdjustment: number }) => s.ScalingAdjustment,
      );
    expect(steps('Upper')).toEqual([1, 2]);
    expect(steps('Lower')).toEqual([-1]);
    // Only the Data Service consumes a queue: the others keep their one task.
    expect(Object.values(resourcesOf(platform)).filter((r) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget')).toHaveLength(1);
  });

  const imageOf = (s: (typeof services)[number]) => {
    const container = propsAt(platform, `Application/Task${s.index}/Resource`).ContainerDefinitions[0];
    const hash = Object.keys(fleet.dockerImages).find((h) => JSON.stringify(container.Image).includes(h));
    return hash ? fleet.dockerImages[hash] : undefined;
  };
  const dockerfile = readFileSync(join(repositoryRoot, 'services/Dockerfile'), 'utf8');

  it('builds each task image from services/Dockerfile with its service, port and liveness path as build arguments', () => {
    for (const s of services) {
      expect(s.folder).toBe(`services/${s.name}`);
      expect(imageOf(s)).toMatchObject({
        dockerFile: 'services/Dockerfile',
        dockerBuildArgs: {
          NODE_VERSION: pinnedNodeVersion(repositoryRoot),
          SERVICE: s.name,
          PORT: String(s.port),
          LIVENESS_PATH: s.livenessPath,
        },
      });
    }
    // Each build argument passed is one the Dockerfile declares, and the code comes from the service's folder.
    for (const arg of Object.keys(imageOf(services[0]!)!.dockerBuildArgs ?? {}))
      expect(dockerfile).toMatch(new RegExp(`^ARG ${arg}(=|\n)`, 'm'));
    expect(dockerfile).toContain('COPY services/${SERVICE} services/${SERVICE}\n');
    expect(dockerfile).toContain('npx esbuild services/${SERVICE}/src/main.ts ');
  });

  it('health-checks each container on its liveness path, in the task definition and the Dockerfile alike', () => {
    for (const s of services) {
      const container = propsAt(platform, `Application/Task${s.index}/Resource`).ContainerDefinitions[0];
      expect(container.HealthCheck.Command.join(' ')).toContain(`:${s.port}${s.livenessPath}'`);
    }
    // The image's probe is built from the same two values, passed as PORT and LIVENESS_PATH.
    expect(dockerfile).toContain('ENV PORT=${PORT} LIVENESS_PATH=${LIVENESS_PATH}\n');
    // Nothing in a service reads NODE_ENV (core's config schemas are the whole list).
    expect(dockerfile).not.toContain('NODE_ENV');
    expect(dockerfile.match(/^HEALTHCHECK [^\n]*\n.*$/m)?.[0]).toContain(
      `'http://127.0.0.1:' + process.env.PORT + process.env.LIVENESS_PATH`,
    );
  });

  it('builds every image FROM the Node.js release the repository pins, which is Node 24 LTS', () => {
    const nodeVersion = pinnedNodeVersion(repositoryRoot);
    expect(nodeVersion).toMatch(/^24\./);
    for (const s of services) expect(imageOf(s)?.dockerBuildArgs).toMatchObject({ NODE_VERSION: nodeVersion });
    // The Dockerfile's own default is the same release, for a `docker build` by hand.
    expect(dockerfile).toContain(`ARG NODE_VERSION=${nodeVersion}\n`);
    expect(dockerfile.match(/^FROM .*$/gm)).toEqual([
      'FROM node:${NODE_VERSION}-slim AS build',
      'FROM node:${NODE_VERSION}-slim AS runtime',
    ]);
    expect(dockerfile).toContain('--target=node24 ');
  });

  it('sizes tasks and logs to /fleet/services/<name> as the shared definitions say', () => {
    for (const s of services) {
      const task = propsAt(platform, `Application/Task${s.index}/Resource`);
      expect(task).toMatchObject({ Cpu: String(s.cpu), Memory: String(s.memoryMiB), RequiresCompatibilities: ['FARGATE'] });
      expect(task.ContainerDefinitions[0].LogConfiguration.Options['awslogs-group']).toEqual(
        ref(platform, `Application/LogGroup${s.index}/Resource`),
      );
      platform.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: monitoring.serviceLogGroup(s.name) });
    }
  });

  it("sets each task's environment from serviceEnvironment(), the local launcher's definition", () => {
    const probe = new Proxy({} as ResourceReferences, { get: (_t, key) => `<${String(key)}>` });
    for (const s of services) {
      const env = propsAt(platform, `Application/Task${s.index}/Resource`).ContainerDefinitions[0].Environment as {
        Name: string;
        Value: unknown;
      }[];
      const expected = serviceEnvironment(s.name, probe);
      expect(env.map((e) => e.Name).sort()).toEqual(Object.keys(expected).sort());
      // Nothing a service would not read: its configuration schema names every variable it reads.
      expect(env.map((e) => e.Name).filter((name) => !variableNames(serviceConfigSchemas[s.name]).includes(name))).toEqual([]);
      expect(env.find((e) => e.Name === 'PORT')?.Value).toBe(String(s.port));
    }
    const dataEnv = Object.fromEntries(
      (propsAt(platform, 'Application/Task3/Resource').ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[]).map(
        (e) => [e.Name, e.Value],
      ),
    );
    expect(dataEnv.TELEMETRY_TABLE).toEqual({
      'Fn::ImportValue': expect.stringContaining(idAt(stateful, 'Storage/FleetTelemetry/Resource')),
    });
    expect(dataEnv.INGEST_QUEUE_URL).toEqual({
      'Fn::ImportValue': expect.stringContaining(idAt(stateful, 'Storage/FleetIngest/Resource')),
    });
    expect(dataEnv.INGEST_DLQ_URL).toEqual({
      'Fn::ImportValue': expect.stringContaining(idAt(stateful, 'Storage/FleetIngestDlq/Resource')),
    });
    expect(dataEnv.BUCKET_NAME).toEqual({ 'Fn::ImportValue': 'fleet-stateful-telemetry-bucket-name' });
    const frontendEnv = propsAt(platform, 'Application/Task1/Resource').ContainerDefinitions[0].Environment as {
      Name: string;
      Value: unknown;
    }[];
    expect(JSON.stringify(frontendEnv.find((e) => e.Name === 'IOT_WEBSOCKET_URL')?.Value)).toContain(
      idAt(platform, 'DataPlatform/IotEndpoint/Resource/Default'),
    );
    // The IoT data plane (shadows) has no regional endpoint: the API's SDK calls the account's own.
    const apiEnv = propsAt(platform, 'Application/Task2/Resource').ContainerDefinitions[0].Environment as {
      Name: string;
      Value: unknown;
    }[];
    const dataPlane = JSON.stringify(apiEnv.find((e) => e.Name === 'AWS_ENDPOINT_URL_IOT_DATA_PLANE')?.Value);
    expect(dataPlane).toContain('https://');
    expect(dataPlane).toContain(idAt(platform, 'DataPlatform/IotEndpoint/Resource/Default'));
    expect(apiEnv.map((e) => e.Name)).not.toContain('AWS_ENDPOINT_URL');
  });
});

describe('IoT Core and IoT rules (data platform)', () => {
  const ruleProps = (name: string) => propsAt(platform, `DataPlatform/Rule-${name}`).TopicRulePayload;

  it('creates one topic rule per shared rule definition, with the same SQL', () => {
    platform.resourceCountIs('AWS::IoT::TopicRule', rules.length);
    for (const rule of rules) {
      expect(propsAt(platform, `DataPlatform/Rule-${rule.name}`).RuleName).toBe(rule.name);
      expect(ruleProps(rule.name)).toMatchObject({ Sql: rule.sql, AwsIotSqlVersion: rule.awsIotSqlVersion, RuleDisabled: false });
      expect(ruleProps(rule.name).Actions).toHaveLength(rule.actions.length);
    }
  });

  it('sends telemetry to the ingest queue, and failures to the dead-letter prefix of the bucket', () => {
    const payload = ruleProps('fleet_telemetry_ingest');
    expect(payload.Actions[0].Sqs.QueueUrl).toEqual({
      'Fn::ImportValue': expect.stringContaining(idAt(stateful, 'Storage/FleetIngest/Resource')),
    });
    expect(payload.ErrorAction.S3).toMatchObject({
      BucketName: { 'Fn::ImportValue': 'fleet-stateful-telemetry-bucket-name' },
      Key: expect.stringMatching(/^dead-letters\/rules\/fleet_telemetry_ingest\//),
    });
  });

  it('sends alerts to a CloudWatch metric (no device dimension) and the alerts log group', () => {
    const payload = ruleProps('fleet_alert_high_temperature');
    expect(payload.Actions[0].CloudwatchMetric).toMatchObject({
      MetricNamespace: monitoring.namespace,
      MetricName: 'HighTemperatureReadings',
    });
    expect(payload.Actions[1].CloudwatchLogs.LogGroupName).toEqual(ref(platform, 'DataPlatform/LogGroup1/Resource'));
    platform.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: monitoring.alertsLogGroup });
  });

  it('gives each rule a role allowed exactly its own actions', () => {
    const ingest = statementsOfRole(platform, 'DataPlatform/RuleRole-fleet_telemetry_ingest/Resource');
    expect(actionsOf(ingest).sort()).toEqual(['s3:PutObject', 'sqs:SendMessage']);
    const sqsStatement = ingest.find((s) => s.Action === 'sqs:SendMessage');
    expect(sqsStatement.Resource).toEqual({ 'Fn::ImportValue': expect.stringContaining(idAt(stateful, 'Storage/FleetIngest/Resource')) });
    const s3Statement = ingest.find((s) => s.Action === 's3:PutObject');
    expect(s3Statement.Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::ImportValue': 'fleet-stateful-telemetry-bucket-arn' }, '/dead-letters/rules/fleet_telemetry_ingest/*']],
    });
    const alert = statementsOfRole(platform, 'DataPlatform/RuleRole-fleet_alert_high_temperature/Resource');
    expect(actionsOf(alert).sort()).toEqual([
      'cloudwatch:PutMetricData',
      'logs:CreateLogStream',
      'logs:DescribeLogStreams',
      'logs:PutLogEvents',
      's3:PutObject',
    ]);
    expect(alert.find((s) => s.Action === 'cloudwatch:PutMetricData').Condition).toEqual({
      StringEquals: { 'cloudwatch:namespace': monitoring.namespace },
    });
  });

  it('creates the CloudWatch alarms of the shared definitions', () => {
    for (const a of alarms) {
      platform.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: a.name,
        Namespace: a.namespace,
        MetricName: a.metricName,
        Threshold: a.threshold,
        ComparisonOperator: a.comparison,
        // Exactly the dimensions the metric is written with (CloudWatch keeps each combination as its own metric).
        Dimensions: a.dimensions ? Object.entries(a.dimensions).map(([Name, Value]) => ({ Name, Value })) : Match.absent(),
      });
    }
    // The Data Service writes ReadingsRejected with Service=data: an alarm without it would never fire.
    expect(alarms.find((a) => a.metricName === dataServiceMetrics.readingsRejected)?.dimensions).toEqual(serviceMetricDimensions('data'));
  });

  it('creates the device IoT policy and looks up the ATS data endpoint', () => {
    platform.hasResourceProperties('AWS::IoT::Policy', { PolicyName: devicePolicyName });
    expect(JSON.stringify(propsAt(platform, 'DataPlatform/IotEndpoint/Resource/Default'))).toContain('iot:Data-ATS');
  });

  it('takes the IoT endpoint from context instead when given, and the Data Service its flush spacing', () => {
    // One synthesis for both settings: each one costs seconds.
    const fixed = synthesizeFleet({
      iotEndpoint: 'abc123-ats.iot.eu-west-1.amazonaws.com',
      dataServiceTuning: { flushSpacingMs: 100 },
    });
    fixed.platform.resourceCountIs('Custom::AWS', 0);
    expect(JSON.stringify(fixed.platform.toJSON())).toContain('wss://abc123-ats.iot.eu-west-1.amazonaws.com/mqtt');
    const environmentOf = (index: number, template: Template) =>
      propsAt(template, `Application/Task${index}/Resource`).ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[];
    // Set where the Data Service reads it, nowhere else; the default deployment leaves it to the service.
    expect(environmentOf(3, fixed.platform)).toContainEqual({ Name: 'INGEST_FLUSH_SPACING_MS', Value: '100' });
    for (const index of [1, 2]) expect(environmentOf(index, fixed.platform).map((e) => e.Name)).not.toContain('INGEST_FLUSH_SPACING_MS');
    expect(environmentOf(3, platform).map((e) => e.Name)).not.toContain('INGEST_FLUSH_SPACING_MS');
  });
});

describe('storage (stateful stack)', () => {
  it('creates the ingest queue with its dead-letter queue from the shared definition', () => {
    expect(propsAt(stateful, 'Storage/FleetIngest/Resource')).toMatchObject({
      VisibilityTimeout: ingestQueue.visibilityTimeoutSeconds,
      MessageRetentionPeriod: ingestQueue.retentionSeconds,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [idAt(stateful, 'Storage/FleetIngestDlq/Resource'), 'Arn'] },
        maxReceiveCount: ingestQueue.deadLetter.maxReceiveCount,
      },
    });
  });

  it('creates every table from the shared schema: on demand, PITR, TTL, GSIs, retained', () => {
    const byPath = (id: string) =>
      `Storage/${id
        .split('-')
        .map((p) => p[0]!.toUpperCase() + p.slice(1))
        .join('')}/Resource`;
    for (const def of tables) {
      const table = resourcesOf(stateful)[idAt(stateful, byPath(def.id))]!;
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        KeySchema: [
          { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
          ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' }] : []),
        ],
      });
      if (def.timeToLiveAttribute)
        expect(table.Properties!.TimeToLiveSpecification).toEqual({ AttributeName: def.timeToLiveAttribute, Enabled: true });
      expect((table.Properties!.GlobalSecondaryIndexes ?? []).map((g: any) => g.IndexName)).toEqual(
        (def.globalSecondaryIndexes ?? []).map((g) => g.indexName),
      );
    }
    stateful.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
  });

  it('keeps the bucket versioned, encrypted, private, access-logged and retained', () => {
    const bucket = resourcesOf(stateful)[idAt(stateful, 'Storage/TelemetryBucket/Resource')]!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: ref(stateful, 'Storage/AccessLogs/Resource') },
    });
    expect(JSON.stringify(bucket.Properties!.LifecycleConfiguration)).toContain(telemetryBucket.prefixes.archive);
  });

  it('expires the archive, exports and import uploads by the shared lifecycle rules', () => {
    const bucket = resourcesOf(stateful)[idAt(stateful, 'Storage/TelemetryBucket/Resource')]!;
    const deployed = (bucket.Properties!.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    for (const rule of bucketLifecycleRules(defaultRetention.archiveDays, telemetryBucket.prefixes)) {
      expect(deployed).toContainEqual({ Id: rule.id, Prefix: rule.prefix, ExpirationInDays: rule.expirationDays, Status: 'Enabled' });
    }
    expect(deployed.find((r) => r.Id === 'archive-retention')).toMatchObject({ ExpirationInDays: 365, Prefix: 'archive/' });
  });
});

describe('Cognito (auth, stateful stack)', () => {
  it('creates the user pool with the shared password policy and groups', () => {
    stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: cognitoPasswordPolicy,
      },
    });
    for (const g of userPoolGroups) {
      stateful.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
        GroupName: g.name,
        Precedence: g.precedence,
        UserPoolId: ref(stateful, 'Auth/UserPool/Resource'),
      });
    }
    expect(resourcesOf(stateful)[idAt(stateful, 'Auth/UserPool/Resource')]!.DeletionPolicy).toBe('Retain');
  });

  it('creates a public app client with the shared token validity', () => {
    stateful.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AccessTokenValidity: tokenValidity.accessTokenMinutes,
      IdTokenValidity: tokenValidity.idTokenMinutes,
      RefreshTokenValidity: tokenValidity.refreshTokenDays * 24 * 60,
    });
  });

  it("lets signed-in identities receive every device's telemetry and every group's live topics, each user's own IoT policy narrowing it", () => {
    stateful.hasResourceProperties('AWS::Cognito::IdentityPool', {
      AllowUnauthenticatedIdentities: false,
      CognitoIdentityProviders: [Match.objectLike({ ClientId: ref(stateful, 'Auth/UserPool/WebClient/Resource') })],
    });
    const role = statementsOfRole(stateful, 'Auth/IdentityPool/AuthenticatedRole/Resource');
    expect(actionsOf(role).sort()).toEqual(['iot:Connect', 'iot:Receive', 'iot:Subscribe']);
    const resources = (action: string) =>
      JSON.stringify(role.filter((s: any) => [s.Action].flat().includes(action)).map((s: any) => s.Resource));
    expect(resources('iot:Subscribe')).toContain(`:topicfilter/${topics.telemetry('*')}`);
    expect(resources('iot:Subscribe')).toContain(`:topicfilter/${topics.groupPolicyResource('*')}`);
    expect(resources('iot:Receive')).toContain(`:topic/${topics.groupPolicyResource('*')}`);
  });

  it('keeps the shared browser policy of earlier releases, allowing Connect only: an identity still holding it receives nothing', () => {
    const doc = propsAt(stateful, 'Auth/BrowserIotPolicy').PolicyDocument;
    expect(doc.Statement.map((s: any) => s.Action)).toEqual(['iot:Connect']);
  });
});

describe('least rights of the task roles', () => {
  const taskStatements = (n: number) => statementsOfRole(platform, `Application/Task${n}/TaskRole/Resource`);

  it('gives the frontend task no AWS permission at all', () => {
    expect(policyOfRole(platform, 'Application/Task1/TaskRole/Resource')).toEqual([]);
  });

  it('gives the Data Service item-level DynamoDB, its queue and four bucket prefixes', () => {
    const statements = taskStatements(3);
    const telemetry = statements.find((s) => JSON.stringify(s.Resource).includes(idAt(stateful, 'Storage/FleetTelemetry/Resource')));
    expect(telemetry.Action).toEqual(expect.arrayContaining(['dynamodb:BatchWriteItem', 'dynamodb:Query']));
    expect(telemetry.Action).not.toContain('dynamodb:DeleteTable');
    const objects = statements.find((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(objects.Resource.map((r: any) => r['Fn::Join'][1][1])).toEqual(['/archive/*', '/dead-letters/*', '/exports/*', '/imports/*']);
    const queue = statements.find((s) => [s.Action].flat().includes('sqs:ReceiveMessage'));
    expect(queue.Resource).toEqual({ 'Fn::ImportValue': expect.stringContaining(idAt(stateful, 'Storage/FleetIngest/Resource')) });
  });

  it('lets the Data Service redrive the DLQ (move tasks and what AWS requires with them) on the DLQ only', () => {
    const statements = taskStatements(3);
    const dlq = idAt(stateful, 'Storage/FleetIngestDlq/Resource');
    const onDlq = statements.filter((s) => JSON.stringify(s.Resource).includes(dlq));
    expect(actionsOf(onDlq).sort()).toEqual([
      'sqs:CancelMessageMoveTask',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ListMessageMoveTasks',
      'sqs:ReceiveMessage',
      'sqs:StartMessageMoveTask',
    ]);
    // Nobody else may move messages: not on the ingest queue, not in another role.
    const moveActions = ['sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks', 'sqs:CancelMessageMoveTask'];
    const others = [...statements.filter((s) => !onDlq.includes(s)), ...taskStatements(1), ...taskStatements(2)];
    expect(actionsOf(others).filter((a) => moveActions.includes(a))).toEqual([]);
  });

  it('lets each service DescribeTable its own tables, the call of its readiness probe', () => {
    const describable = (n: number) =>
      taskStatements(n)
        .filter((st) => [st.Action].flat().includes('dynamodb:DescribeTable'))
        .map((st) => JSON.stringify(st.Resource));
    for (const table of ['FleetLatest', 'FleetTelemetry']) {
      expect(describable(3).some((r) => r.includes(idAt(stateful, `Storage/${table}/Resource`)))).toBe(true);
    }
    for (const table of ['FleetDevices', 'FleetPlatformState']) {
      expect(describable(2).some((r) => r.includes(idAt(stateful, `Storage/${table}/Resource`)))).toBe(true);
    }
  });

  it('lets each table be touched by its owner only (docs/adr/0001-table-ownership.md)', () => {
    const owners = {
      FleetDevices: 'api',
      FleetPlatformState: 'api',
      FleetLatest: 'data',
      FleetTelemetry: 'data',
      FleetAlarms: 'data',
      FleetRollups: 'data',
      FleetDataControl: 'data',
      FleetMetricSettings: 'api',
      FleetDashboards: 'api',
      FleetAudit: 'api',
      FleetDeviceImports: 'api',
    } as const;
    for (const [table, owner] of Object.entries(owners)) {
      const tableId = idAt(stateful, `Storage/${table}/Resource`);
      const touching = services.filter((s) => JSON.stringify(taskStatements(s.index)).includes(tableId)).map((s) => s.name);
      expect(touching, table).toEqual([owner]);
    }
    // Every table of the stateful stack has an owner in this list.
    const tables = Object.values(resourcesOf(stateful)).filter((r) => r.Type === 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(Object.keys(owners).length);
  });

  it('gives the API Service no S3, SQS or telemetry-table access', () => {
    const text = JSON.stringify(taskStatements(2));
    expect(text).not.toMatch(/"s3:|"sqs:/);
    expect(text).not.toContain(idAt(stateful, 'Storage/FleetTelemetry/Resource'));
  });

  it('deploys exactly the task-role statements of @fleet/core, the ones the local cloud enforces', () => {
    for (const s of services) {
      const deployed = policyOfRole(platform, `Application/Task${s.index}/TaskRole/Resource`).flatMap(
        (p) => p.Properties!.PolicyDocument.Statement as any[],
      );
      expect(deployed.map((d) => [d.Action].flat())).toEqual(taskRoleStatements[s.name].map((t) => [...t.actions]));
    }
  });

  it("lets the Data Service re-publish only to groups' live topics and list the pool's groups, and the API Service keep users' own browser policies", () => {
    const withAction = (n: number, action: string) => taskStatements(n).filter((s) => [s.Action].flat().includes(action));
    const text = (statements: any[]) => JSON.stringify(statements.map((s) => s.Resource));
    expect(withAction(3, 'iot:Publish')).toHaveLength(1);
    expect(text(withAction(3, 'iot:Publish'))).toContain(`:topic/${topics.groupTelemetry('*', '*')}`);
    expect(text(withAction(3, 'cognito-idp:ListGroups'))).toContain('UserPool');
    const versions = withAction(2, 'iot:CreatePolicyVersion');
    expect(versions).toHaveLength(1);
    expect(versions[0].Action).toEqual(
      expect.arrayContaining(['iot:CreatePolicy', 'iot:GetPolicy', 'iot:ListPolicyVersions', 'iot:DeletePolicyVersion']),
    );
    expect(text(versions)).toContain(`:policy/${browserPolicyNameFor('*')}`);
  });

  it('lets the Data Service delete objects only among the error-action dead letters (replay)', () => {
    const deletes = taskStatements(3).filter((s) => [s.Action].flat().includes('s3:DeleteObject'));
    expect(deletes).toHaveLength(1);
    expect([deletes[0].Resource].flat().map((r: any) => r['Fn::Join'][1][1])).toEqual([`/${telemetryBucket.prefixes.deadLetters}rules/*`]);
  });

  it('uses no wildcard IAM action anywhere', () => {
    for (const t of [platform, stateful]) {
      for (const r of Object.values(resourcesOf(t)).filter((x) => x.Type === 'AWS::IAM::Policy')) {
        for (const action of actionsOf(r.Properties!.PolicyDocument.Statement)) expect(action).not.toContain('*');
      }
    }
  });
});

describe('alarm notifications (SNS)', () => {
  const topicId = () => idAt(platform, 'Notifications/FleetAlarmNotifications/Resource');

  it('creates the alarm notifications topic, KMS-encrypted and HTTPS only', () => {
    expect(propsAt(platform, 'Notifications/FleetAlarmNotifications/Resource')).toMatchObject({
      DisplayName: 'Fleet alarms',
      KmsMasterKeyId: expect.anything(),
    });
    const policies = Object.values(resourcesOf(platform)).filter(
      (r) => r.Type === 'AWS::SNS::TopicPolicy' && JSON.stringify(r.Properties?.Topics).includes(topicId()),
    );
    expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
  });

  it('lets the Data Service publish to it, the API Service manage its subscriptions only, the frontend nothing', () => {
    const statementsOf = (n: number) => statementsOfRole(platform, `Application/Task${n}/TaskRole/Resource`);
    const onTopic = (n: number) => statementsOf(n).filter((s) => JSON.stringify(s.Resource).includes(topicId()));
    expect(actionsOf(onTopic(3))).toEqual(['sns:Publish']);
    expect(actionsOf(onTopic(2)).sort()).toEqual(
      ['sns:GetSubscriptionAttributes', 'sns:ListSubscriptionsByTopic', 'sns:Subscribe', 'sns:Unsubscribe'].sort(),
    );
    expect(JSON.stringify(statementsOf(2))).not.toContain('sns:Publish');
    expect(JSON.stringify(statementsOf(1))).not.toMatch(/"sns:|FleetAlarmNotifications/);
    expect(actionsOf(statementsOf(3))).toContain('iot:ListThingGroupsForThing');
  });

  it("gives the Data Service the topic's ARN and the alarms table's name", () => {
    const env = Object.fromEntries(
      (propsAt(platform, 'Application/Task3/Resource').ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[]).map(
        (e) => [e.Name, e.Value],
      ),
    );
    expect(env.ALARM_TOPIC_ARN).toEqual({ Ref: topicId() });
    expect(env.ALARMS_TABLE).toEqual({ 'Fn::ImportValue': expect.stringContaining(idAt(stateful, 'Storage/FleetAlarms/Resource')) });
  });
});

describe('synthesis', () => {
  it('is environment-agnostic: account and region stay tokens', () => {
    for (const stack of [fleet.stacks.stateful, fleet.stacks.platform]) {
      expect(Token.isUnresolved(stack.account)).toBe(true);
      expect(Token.isUnresolved(stack.region)).toBe(true);
    }
  });

  it('deploys the stateful stack first', () => {
    expect(fleet.stacks.platform.dependencies).toContain(fleet.stacks.stateful);
  });

  it('outputs the public URL and the IoT endpoint', () => {
    platform.hasOutput('PublicUrl', { Value: 'https://fleet.example.com' });
    platform.hasOutput('IotEndpoint', {});
  });
});
