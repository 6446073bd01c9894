/**
 * Diagram group "Data Platform": IoT Core (device policy, data endpoint), IoT Rules generated from
 * the shared rule definitions that the local rules engine also runs, and CloudWatch (log groups and
 * alarms). The storage it feeds (queue, bucket, tables) comes from the stateful stack.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { PlatformAlarmDefinition, IotPolicyDocument, RuleDefinition } from '@fleet/core';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag.ts';
import { ruleActionsFor } from './rule-actions.ts';

export interface DataPlatformProps {
  readonly rules: readonly RuleDefinition[];
  readonly alarms: readonly PlatformAlarmDefinition[];
  /** Queues a rule's `sqs` action may name, by logical id. */
  readonly queues: ReadonlyMap<string, sqs.IQueue>;
  /** Buckets a rule's `s3` action may name, by logical id. */
  readonly buckets: ReadonlyMap<string, s3.IBucket>;
  /** Log group names a rule's `cloudwatchLogs` action may name; each becomes a log group here. */
  readonly logGroupNames: readonly string[];
  readonly devicePolicy: { readonly name: string; readonly document: (region: string, account: string) => IotPolicyDocument };
  /**
   * Host name of the IoT data endpoint, when known in advance.
   * @default - looked up at deploy time (custom resource calling iot:DescribeEndpoint, type iot:Data-ATS)
   */
  readonly iotEndpoint?: string;
}

export class DataPlatform extends Construct {
  /** Host name of the account's IoT data endpoint (ATS). */
  readonly iotEndpoint: string;
  readonly devicePolicy: iot.CfnPolicy;
  readonly topicRules: ReadonlyMap<string, iot.CfnTopicRule>;
  readonly logGroups: ReadonlyMap<string, logs.LogGroup>;
  readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: DataPlatformProps) {
    super(scope, id);
    const { region, account } = Stack.of(this);

    this.devicePolicy = new iot.CfnPolicy(this, 'DevicePolicy', {
      policyName: props.devicePolicy.name,
      policyDocument: props.devicePolicy.document(region, account),
    });
    this.iotEndpoint = props.iotEndpoint ?? this.lookUpIotEndpoint();

    const logGroups = new Map<string, logs.LogGroup>();
    for (const name of props.logGroupNames) {
      logGroups.set(
        name,
        new logs.LogGroup(this, `LogGroup${logGroups.size + 1}`, {
          logGroupName: name,
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      );
    }
    this.logGroups = logGroups;

    const alarms = new Map<string, cloudwatch.Alarm>();
    for (const def of props.alarms) {
      alarms.set(
        def.name,
        new cloudwatch.Alarm(this, `Alarm-${def.name}`, {
          alarmName: def.name,
          metric: new cloudwatch.Metric({
            namespace: def.namespace,
            metricName: def.metricName,
            ...(def.dimensions ? { dimensionsMap: { ...def.dimensions } } : {}),
            statistic: def.statistic,
            period: Duration.seconds(def.periodSeconds),
          }),
          threshold: def.threshold,
          evaluationPeriods: def.evaluationPeriods,
          comparisonOperator: comparisonOperators[def.comparison],
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    this.alarms = alarms;

    const topicRules = new Map<string, iot.CfnTopicRule>();
    for (const rule of props.rules) {
      // One role per rule: each rule may do exactly what its own actions need.
      const role = new iam.Role(this, `RuleRole-${rule.name}`, {
        assumedBy: new iam.ServicePrincipal('iot.amazonaws.com'),
        description: `IoT rule ${rule.name}: its actions and its error action`,
      });
      const targets = { queues: props.queues, buckets: props.buckets, logGroups, alarms, roleArn: role.roleArn, region, account };
      const actions = rule.actions.map((action) => ruleActionsFor(action, targets));
      const errorAction = ruleActionsFor(rule.errorAction, targets);
      for (const resolved of [...actions, errorAction]) {
        for (const statement of resolved.statements) {
          role.addToPrincipalPolicy(statement);
          for (const resource of statement.resources) {
            if (resource.includes('*') && resolved.wildcardReason) acknowledgeWildcardResource(role, resource, resolved.wildcardReason);
          }
        }
      }
      topicRules.set(
        rule.name,
        new iot.CfnTopicRule(this, `Rule-${rule.name}`, {
          ruleName: rule.name,
          topicRulePayload: {
            description: rule.description,
            sql: rule.sql,
            awsIotSqlVersion: rule.awsIotSqlVersion,
            ruleDisabled: false,
            actions: actions.map((a) => a.action),
            errorAction: errorAction.action,
          },
        }),
      );
    }
    this.topicRules = topicRules;
  }

  /** The IoT data endpoint is account-specific: ask IoT for it while deploying (no context lookup at synth). */
  private lookUpIotEndpoint(): string {
    const call: cr.AwsSdkCall = {
      service: 'Iot',
      action: 'DescribeEndpoint',
      parameters: { endpointType: 'iot:Data-ATS' },
      physicalResourceId: cr.PhysicalResourceId.of('iot-data-ats-endpoint'),
      outputPaths: ['endpointAddress'],
    };
    const lookup = new cr.AwsCustomResource(this, 'IotEndpoint', {
      onCreate: call,
      onUpdate: call,
      // iot:DescribeEndpoint supports no resource-level permission: AWS forces "*".
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    Validations.of(lookup).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'iot:DescribeEndpoint has no resource-level permissions (Service Authorization Reference): AWS forces "*".',
    });
    // The provider function is a stack-level singleton, so its finding is acknowledged on the stack.
    Validations.of(Stack.of(this)).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'The AwsCustomResource provider (CDK-managed) writes its own logs with this AWS managed policy; it only calls iot:DescribeEndpoint.',
    });
    return lookup.getResponseField('endpointAddress');
  }
}

const comparisonOperators: Record<PlatformAlarmDefinition['comparison'], cloudwatch.ComparisonOperator> = {
  GreaterThanOrEqualToThreshold: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  GreaterThanThreshold: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  LessThanThreshold: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
  LessThanOrEqualToThreshold: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
};
