/**
 * Alarm notifications and users' topic rules: the SNS topic every alarm event is published to
 * (notification channels are its subscriptions) and the role AWS IoT assumes to run the actions of
 * users' rules, both from the shared definitions of `@fleet/core` (`alarmNotificationsTopic`,
 * `userRulesRole`). The API Service creates the rules and subscriptions at run time.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { alarmNotificationsTopic, renderStatement, userRulesRole, type ArnResolver } from '@fleet/core';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag.ts';

export class Notifications extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly userRulesRole: iam.Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: alarmNotificationsTopic.displayName,
      // Encrypted at rest with the AWS managed key: its policy lets principals of this account use it
      // through SNS, which covers both publishers (the Data Service's task role and the user-rules role).
      masterKey: kms.Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
      enforceSSL: true,
    });

    this.userRulesRole = new iam.Role(this, 'UserRulesRole', {
      assumedBy: new iam.ServicePrincipal(userRulesRole.assumedBy),
      description: userRulesRole.description,
    });
    const { partition, region, account } = Stack.of(this);
    const arns: ArnResolver = {
      partition,
      region,
      account,
      topicArn: (topicId) => {
        if (topicId !== alarmNotificationsTopic.id) throw new Error(`no topic "${topicId}"; expected ${alarmNotificationsTopic.id}`);
        return this.alarmTopic.topicArn;
      },
      roleArn: () => this.userRulesRole.roleArn,
      tableArn: notHere('table'),
      queueArn: notHere('queue'),
      bucketArn: notHere('bucket'),
      userPoolArn: notHere('user pool'),
    };
    for (const statement of userRulesRole.statements) {
      const rendered = renderStatement(statement, arns);
      this.userRulesRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: [...rendered.Action], resources: [...rendered.Resource] }),
      );
      for (const resource of rendered.Resource) {
        const reason = 'wildcardReason' in statement ? statement.wildcardReason : undefined;
        if (resource.includes('*') && reason) acknowledgeWildcardResource(this.userRulesRole, resource, reason);
      }
    }
  }
}

const notHere = (what: string) => (): never => {
  throw new Error(`the user-rules role names no ${what}; add it to the Notifications construct first`);
};
