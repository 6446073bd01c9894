/**
 * Alarm notifications and users' topic rules: the SNS topics of `notificationTopics` (`@fleet/core`
 * resources.ts: the Data Service publishes every alarm event to the alarm topic as `AlarmNotification`
 * JSON; notification channels are its subscriptions) and the role AWS IoT assumes to run the actions
 * of users' rules (`userRulesRole`). The API Service creates the rules and subscriptions at run time.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { alarmNotificationsTopic, renderStatement, userRulesRole, type ArnResolver, type TopicDefinition } from '@fleet/core';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag.ts';

export interface NotificationsProps {
  readonly topics: readonly TopicDefinition[];
}

export class Notifications extends Construct {
  /** Topics by the logical id of their shared definition. */
  readonly topics: ReadonlyMap<string, sns.Topic>;
  readonly userRulesRole: iam.Role;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    // Encrypted at rest with the AWS managed key: its policy lets principals of this account use it
    // through SNS, which covers both publishers (the Data Service's task role and the user-rules role).
    const masterKey = kms.Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns');
    this.topics = new Map(
      props.topics.map((def) => [
        def.id,
        new sns.Topic(
          this,
          def.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
          {
            displayName: def.displayName,
            masterKey,
            enforceSSL: true,
          },
        ),
      ]),
    );

    this.userRulesRole = new iam.Role(this, 'UserRulesRole', {
      assumedBy: new iam.ServicePrincipal(userRulesRole.assumedBy),
      description: userRulesRole.description,
    });
    const { partition, region, account } = Stack.of(this);
    const arns: ArnResolver = {
      partition,
      region,
      account,
      topicArn: (topicId) => this.topic(topicId).topicArn,
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

  /** The topic of a shared definition. */
  topic(id: string): sns.Topic {
    const topic = this.topics.get(id);
    if (!topic) throw new Error(`Notifications: no topic "${id}", expected one of ${[...this.topics.keys()].join(', ')}`);
    return topic;
  }

  /** The alarm notifications topic (`alarmNotificationsTopic`). */
  get alarmTopic(): sns.Topic {
    return this.topic(alarmNotificationsTopic.id);
  }
}

const notHere = (what: string) => (): never => {
  throw new Error(`the user-rules role names no ${what}; add it to the Notifications construct first`);
};
