/**
 * The stateless part of the diagram, composed from one construct per diagram group:
 * Route 53 → CloudFront → API Gateway → load balancers → ECS services in subnets 1–3 of the VPC,
 * and the data platform (IoT Core, IoT rules, CloudWatch) feeding the stateful stack's storage.
 */
import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { iotHttpsPublishPort, type ResourceReferences, type ServiceDefinition } from '@fleet/core';
import {
  alarms,
  alarmsTable,
  dataControlTable,
  metricSettingsTable,
  dashboardsTable,
  auditTable,
  deviceImportsTable,
  rollupsTable,
  browserPolicyName,
  devicePolicyDocument,
  devicePolicyName,
  devicesTable,
  gatewayRoutes,
  ingestQueue,
  latestTable,
  monitoring,
  rules,
  serviceEnvironment,
  services,
  telemetryBucket,
  telemetryTable,
  platformStateTable,
  notificationTopics,
  type DataServiceTuning,
} from '@fleet/core';
import type { Construct } from 'constructs';
import type { CustomDomain } from '../config.ts';
import { ApiGateway } from '../constructs/api-gateway.ts';
import { Application } from '../constructs/application.ts';
import { scaleOnQueueBacklog } from '../constructs/queue-scaling.ts';
import { Cdn } from '../constructs/cdn.ts';
import { DataPlatform } from '../constructs/data-platform.ts';
import { LoadBalancers } from '../constructs/load-balancers.ts';
import { Network } from '../constructs/network.ts';
import { Notifications } from '../constructs/notifications.ts';
import { Traffic } from '../constructs/traffic.ts';
import { containerImageFor } from '../container-images.ts';
import { amazonRootCa1Url } from '../deployed-endpoints.ts';
import { acknowledgeTaskWildcards, taskPermissions } from '../service-permissions.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface PlatformStackProps extends StackProps {
  readonly stateful: StatefulStack;
  /** Repository root: the Docker build context of the service images. */
  readonly repositoryRoot: string;
  /** @default - no custom domain, no Route 53 records */
  readonly domain?: CustomDomain;
  /** @default - looked up at deploy time */
  readonly iotEndpoint?: string;
  /** What the deployment chose for the Data Service (the `ingestFlushSpacingMs` context). @default - the service's defaults */
  readonly dataServiceTuning?: DataServiceTuning;
}

export class PlatformStack extends Stack {
  readonly network: Network;
  readonly loadBalancers: LoadBalancers;
  readonly dataPlatform: DataPlatform;
  readonly notifications: Notifications;
  readonly application: Application;
  readonly apiGateway: ApiGateway;
  readonly cdn: Cdn;
  readonly traffic?: Traffic;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { storage, auth, bucketExports } = props.stateful;
    const bucket = s3.Bucket.fromBucketAttributes(this, 'TelemetryBucket', {
      bucketArn: Fn.importValue(bucketExports.arn),
      bucketName: Fn.importValue(bucketExports.name),
    });

    this.network = new Network(this, 'Network', { subnetCount: services.length });
    this.loadBalancers = new LoadBalancers(this, 'LoadBalancers', {
      vpc: this.network.vpc,
      subnets: this.network.subnets,
      services,
      vpcLinkSecurityGroup: this.network.vpcLinkSecurityGroup,
    });

    this.dataPlatform = new DataPlatform(this, 'DataPlatform', {
      rules,
      alarms,
      queues: new Map([[ingestQueue.id, storage.ingestQueue]]),
      buckets: new Map([[telemetryBucket.id, bucket]]),
      logGroupNames: [monitoring.alertsLogGroup, monitoring.ruleErrorsLogGroup],
      devicePolicy: { name: devicePolicyName, document: devicePolicyDocument },
      ...(props.iotEndpoint ? { iotEndpoint: props.iotEndpoint } : {}),
    });

    this.notifications = new Notifications(this, 'Notifications', { topics: notificationTopics });

    this.apiGateway = new ApiGateway(this, 'ApiGateway', {
      vpc: this.network.vpc,
      subnets: this.network.subnets,
      vpcLinkSecurityGroup: this.network.vpcLinkSecurityGroup,
      routes: gatewayRoutes,
      listeners: (service) => this.loadBalancers.of(service).listener,
      userPool: auth.userPool,
      userPoolClient: auth.userPoolClient,
    });

    this.cdn = new Cdn(this, 'Cdn', {
      originDomainName: this.apiGateway.domainName,
      ...(props.domain ? { domain: props.domain } : {}),
    });
    if (props.domain) {
      this.traffic = new Traffic(this, 'Traffic', {
        domainName: props.domain.domainName,
        distribution: this.cdn.distribution,
        ...(props.domain.hostedZone ? { hostedZone: props.domain.hostedZone } : {}),
      });
    }

    const refs: ResourceReferences = {
      region: this.region,
      devicesTable: storage.table(devicesTable.id).tableName,
      latestTable: storage.table(latestTable.id).tableName,
      telemetryTable: storage.table(telemetryTable.id).tableName,
      platformStateTable: storage.table(platformStateTable.id).tableName,
      alarmsTable: storage.table(alarmsTable.id).tableName,
      rollupsTable: storage.table(rollupsTable.id).tableName,
      dataControlTable: storage.table(dataControlTable.id).tableName,
      metricSettingsTable: storage.table(metricSettingsTable.id).tableName,
      dashboardsTable: storage.table(dashboardsTable.id).tableName,
      bucket: bucket.bucketName,
      ingestQueueUrl: storage.ingestQueue.queueUrl,
      ingestDeadLetterQueueUrl: storage.ingestDeadLetterQueue.queueUrl,
      userPoolId: auth.userPool.userPoolId,
      userPoolClientId: auth.userPoolClient.userPoolClientId,
      identityPoolId: auth.identityPool.identityPoolId,
      iotEndpoint: this.dataPlatform.iotEndpoint,
      iotWebSocketUrl: `wss://${this.dataPlatform.iotEndpoint}/mqtt`,
      iotDataPlaneUrl: `https://${this.dataPlatform.iotEndpoint}`,
      // AWS IoT Core's MQTT over TLS port (https://docs.aws.amazon.com/iot/latest/developerguide/protocols.html).
      iotMqttPort: 8883,
      // HTTPS publish with device certificates, same endpoint (same page).
      iotHttpsPort: iotHttpsPublishPort,
      iotCaUrl: amazonRootCa1Url,
      devicePolicyName: this.dataPlatform.devicePolicy.policyName ?? devicePolicyName,
      browserPolicyName: auth.browserIotPolicy.policyName ?? browserPolicyName,
      dataServiceUrl: `http://${this.loadBalancers.of('data').loadBalancer.loadBalancerDnsName}`,
      alarmTopicArn: this.notifications.alarmTopic.topicArn,
      userRulesRoleArn: this.notifications.userRulesRole.roleArn,
      auditTable: storage.table(auditTable.id).tableName,
      deviceImportsTable: storage.table(deviceImportsTable.id).tableName,
    };

    const securityGroups = new Map(
      services.map((s) => [s.name, this.network.createServiceSecurityGroup(s.index, `ECS service ${s.index} (${s.title})`)] as const),
    );
    const permissions = new Map(
      services.map(
        (s) => [s.name, taskPermissions(s.name, { scope: this, storage, bucket, auth, notifications: this.notifications })] as const,
      ),
    );
    const wiring = (service: ServiceDefinition) => ({
      subnet: this.network.subnet(service.index),
      securityGroup: securityGroups.get(service.name)!,
      targetGroup: this.loadBalancers.of(service.name).targetGroup,
      environment: serviceEnvironment(service.name, refs, props.dataServiceTuning),
      taskPolicy: (permissions.get(service.name) ?? []).map((p) => p.statement),
      image: containerImageFor(props.repositoryRoot, service),
    });
    this.application = new Application(this, 'Application', { vpc: this.network.vpc, services, wiring });
    const dataService = this.application.of('data');
    scaleOnQueueBacklog(dataService.service, dataService.definition, storage.ingestQueue);

    // The API Service calls the Data Service through load balancer 3 (DATA_SERVICE_URL).
    this.loadBalancers
      .of('data')
      .loadBalancer.connections.allowFrom(
        securityGroups.get('api')!,
        ec2.Port.tcp(this.loadBalancers.listenerPort),
        'API Service → Data Service',
      );
    for (const s of services) acknowledgeTaskWildcards(this.application.of(s.name).taskDefinition.taskRole, permissions.get(s.name) ?? []);

    new CfnOutput(this, 'Region', { value: this.region });
    new CfnOutput(this, 'PublicUrl', {
      value: this.cdn.publicUrl,
      description: 'Open this in a browser (custom domain, else the CloudFront domain)',
    });
    new CfnOutput(this, 'DistributionDomainName', { value: this.cdn.distribution.distributionDomainName });
    new CfnOutput(this, 'ApiEndpoint', { value: this.apiGateway.httpApi.apiEndpoint });
    new CfnOutput(this, 'IotEndpoint', {
      value: this.dataPlatform.iotEndpoint,
      description: 'MQTT/TLS :8883 for devices and the simulator',
    });
  }
}
