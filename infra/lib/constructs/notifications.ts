/**
 * Alarm notifications: the SNS topics of `notificationTopics` (`@fleet/core` resources.ts), to
 * which the Data Service publishes every alarm event as `AlarmNotification` JSON and which
 * webhooks and e-mail subscribe to. Encrypted with the AWS managed key of SNS (principals of the
 * account that may publish can use it; no AWS service publishes here), HTTPS only.
 */
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { TopicDefinition } from '@fleet/core';
import { Construct } from 'constructs';

export interface NotificationsProps {
  readonly topics: readonly TopicDefinition[];
}

export class Notifications extends Construct {
  /** Topics by the logical id of their shared definition. */
  readonly topics: ReadonlyMap<string, sns.Topic>;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
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
  }

  /** The topic of a shared definition. */
  topic(id: string): sns.Topic {
    const topic = this.topics.get(id);
    if (!topic) throw new Error(`Notifications: no topic "${id}", expected one of ${[...this.topics.keys()].join(', ')}`);
    return topic;
  }
}
