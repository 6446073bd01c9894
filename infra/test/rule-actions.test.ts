/**
 * Template tests of the rule actions added for run-time topic rules: http (no role; the destination
 * is confirmed by the endpoint's owner), dynamoDBv2 and sns (each with a role statement on exactly
 * its table or topic), resolved from core's `RuleAction` by `ruleActionsFor`.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { RuleAction } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { ruleActionsFor } from '../lib/constructs/rule-actions.ts';

function synthesize(action: RuleAction) {
  const stack = new Stack(new App(), 'RuleActions');
  const table = new dynamodb.Table(stack, 'Readings', { partitionKey: { name: 'deviceId', type: dynamodb.AttributeType.STRING } });
  const topic = new sns.Topic(stack, 'Alerts');
  const role = new iam.Role(stack, 'RuleRole', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
  const resolved = ruleActionsFor(action, {
    queues: new Map(),
    buckets: new Map(),
    logGroups: new Map(),
    alarms: new Map(),
    tables: new Map([['readings', table]]),
    topics: new Map([['alerts', topic]]),
    roleArn: role.roleArn,
    region: 'us-east-1',
    account: '111111111111',
  });
  for (const statement of resolved.statements) role.addToPrincipalPolicy(statement);
  new iot.CfnTopicRule(stack, 'Rule', {
    topicRulePayload: { sql: "SELECT * FROM 'fleet/#'", awsIotSqlVersion: '2016-03-23', actions: [resolved.action] },
  });
  return { template: Template.fromStack(stack), resolved, stack, table, topic };
}

describe('rule actions of run-time topic rules on AWS', () => {
  it('http: posts to the URL with its headers and needs no role statement', () => {
    const { template, resolved } = synthesize({
      kind: 'http',
      url: 'https://hooks.example.com/fleet/${topic(3)}',
      confirmationUrl: 'https://hooks.example.com/fleet',
      headers: [{ key: 'x-device', value: '${clientid()}' }],
    });
    expect(resolved.statements).toEqual([]);
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: {
        Actions: [
          {
            Http: {
              Url: 'https://hooks.example.com/fleet/${topic(3)}',
              ConfirmationUrl: 'https://hooks.example.com/fleet',
              Headers: [{ Key: 'x-device', Value: '${clientid()}' }],
            },
          },
        ],
      },
    });
  });

  it('dynamoDBv2: puts items into the named table; the role may PutItem on that table only', () => {
    const { template, stack, table } = synthesize({ kind: 'dynamoDBv2', tableId: 'readings' });
    const tableId = stack.getLogicalId(table.node.defaultChild as dynamodb.CfnTable);
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: { Actions: [{ DynamoDBv2: { PutItem: { TableName: { Ref: tableId } }, RoleArn: Match.anyValue() } }] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'dynamodb:PutItem', Effect: 'Allow', Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } }] },
    });
  });

  it('sns: publishes to the named topic in the given format; the role may Publish to that topic only', () => {
    const { template, stack, topic } = synthesize({ kind: 'sns', topicId: 'alerts', messageFormat: 'JSON' });
    const topicId = stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic);
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: { Actions: [{ Sns: { TargetArn: { Ref: topicId }, MessageFormat: 'JSON', RoleArn: Match.anyValue() } }] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topicId } }] },
    });
  });

  it('fails early naming the table a dynamoDBv2 action names when the app does not define it', () => {
    expect(() => synthesize({ kind: 'dynamoDBv2', tableId: 'missing' })).toThrow(/table "missing", which this app does not define/);
  });
});
