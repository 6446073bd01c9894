/**
 * Template tests of users' topic rules and alarm notifications on AWS: the alarm topic, the role AWS
 * IoT assumes for users' rule actions (republish under fleet/rules/ and publish to the topic, nothing
 * else), and what the API task role may do with rules (user_* only), destinations, the role and SNS;
 * and the API task role's CloudWatch read for the overview (GetMetricData only).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesizeFleet } from './synthesize.ts';

const { platform } = synthesizeFleet();

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }>;
const resourcesOf = (t: Template) => t.toJSON().Resources as Resources;
const idAt = (suffix: string): string => {
  const found = Object.entries(resourcesOf(platform)).filter(([, r]) => String(r.Metadata?.['aws:cdk:path'] ?? '').endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one resource at …${suffix}, found ${found.length}`);
  return found[0]![0];
};
const statementsOfRole = (roleId: string): any[] =>
  Object.values(resourcesOf(platform))
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties?.Roles ?? []).some((x: any) => x.Ref === roleId))
    .flatMap((p) => p.Properties!.PolicyDocument.Statement);
const asList = (v: unknown) => (Array.isArray(v) ? v : [v]);
const text = (v: unknown) => JSON.stringify(v);

describe('alarm notifications and user rules on AWS', () => {
  const topicId = idAt('Notifications/FleetAlarmNotifications/Resource');
  const roleId = idAt('Notifications/UserRulesRole/Resource');

  it('creates the alarm topic encrypted, and the user-rules role for AWS IoT', () => {
    const topic = resourcesOf(platform)[topicId]!;
    expect(topic.Properties).toMatchObject({ DisplayName: 'Fleet alarms' });
    expect(text(topic.Properties!['KmsMasterKeyId'])).toContain('alias/aws/sns');
    platform.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'iot.amazonaws.com' } }] },
    });
  });

  it("lets users' rules republish under fleet/rules/ and publish to the alarm topic, nothing else", () => {
    const statements = statementsOfRole(roleId);
    expect(statements.flatMap((s) => asList(s.Action)).sort()).toEqual(['iot:Publish', 'sns:Publish']);
    expect(text(statements.find((s) => s.Action === 'iot:Publish').Resource)).toContain(':topic/fleet/rules/*');
    expect(statements.find((s) => s.Action === 'sns:Publish').Resource).toEqual({ Ref: topicId });
  });

  it("gives the API task role topic rules on user_* only, PassRole on the user-rules role only, and the topic's subscriptions", () => {
    const statements = statementsOfRole(idAt('Application/Task2/TaskRole/Resource'));
    const ruleStatement = statements.find((s) => asList(s.Action).includes('iot:CreateTopicRule'));
    expect(asList(ruleStatement.Action).sort()).toEqual(
      [
        'iot:CreateTopicRule',
        'iot:DeleteTopicRule',
        'iot:DisableTopicRule',
        'iot:EnableTopicRule',
        'iot:GetTopicRule',
        'iot:ReplaceTopicRule',
      ].sort(),
    );
    expect(asList(ruleStatement.Resource).map(text)).toEqual([expect.stringContaining(':rule/user_*')]);
    expect(statements.filter((s) => text(s).includes(':rule/') && !text(s).includes('rule/user_*'))).toEqual([]);

    const passRole = statements.find((s) => asList(s.Action).includes('iam:PassRole'));
    expect(passRole.Resource).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } });

    const sns = statements.find((s) => asList(s.Action).includes('sns:Subscribe'));
    expect(sns.Resource).toEqual({ Ref: topicId });
    expect(statements.some((s) => asList(s.Action).includes('iot:CreateTopicRuleDestination'))).toBe(true);
  });

  it('tells the API Service the topic and the role', () => {
    const definition = Object.values(resourcesOf(platform)).find(
      (r) => r.Type === 'AWS::ECS::TaskDefinition' && text(r.Properties).includes('USER_RULES_ROLE_ARN'),
    );
    const environment = definition!.Properties!['ContainerDefinitions'][0].Environment as { Name: string; Value: unknown }[];
    expect(environment.find((e) => e.Name === 'ALARM_TOPIC_ARN')?.Value).toEqual({ Ref: topicId });
    expect(environment.find((e) => e.Name === 'USER_RULES_ROLE_ARN')?.Value).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
  });
});

describe("the overview's metrics on AWS", () => {
  const cloudwatchActions = (task: number) =>
    statementsOfRole(idAt(`Application/Task${task}/TaskRole/Resource`))
      .flatMap((s) => asList(s.Action) as string[])
      .filter((a) => a.startsWith('cloudwatch:'));

  it('lets the API task role call cloudwatch:GetMetricData (no resource type: any resource), and no other CloudWatch action', () => {
    expect(cloudwatchActions(2)).toEqual(['cloudwatch:GetMetricData']);
    const statement = statementsOfRole(idAt('Application/Task2/TaskRole/Resource')).find((s) =>
      asList(s.Action).includes('cloudwatch:GetMetricData'),
    );
    expect(statement).toMatchObject({ Effect: 'Allow', Resource: '*' });
  });

  it('gives the frontend and the Data Service no CloudWatch read (the Data Service writes its metrics as EMF log lines)', () => {
    expect(cloudwatchActions(1)).toEqual([]);
    expect(cloudwatchActions(3)).toEqual([]);
  });
});
