/**
 * Notification channels as Amazon SNS subscriptions of the alarm notifications topic
 * (`notification-contract.ts`). SNS confirms every http/https and e-mail subscription with its
 * owner first; until then ListSubscriptionsByTopic names it `PendingConfirmation` instead of its
 * ARN (https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html), and AWS
 * removes it by itself if it is never confirmed: such a channel cannot be deleted.
 */
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import {
  channelIdOf,
  channelLimits,
  channelProtocols,
  decodeChannelId,
  minSeverityOfFilterPolicy,
  pendingChannelId,
  severityFilterPolicy,
  type Channel,
  type ChannelInput,
} from '@fleet/core';
import type { Logger } from 'pino';
import { awsErrorName } from '../aws-clients.ts';
import { apiError } from '../errors.ts';

export interface SnsChannelsDeps {
  readonly sns: Pick<SNSClient, 'send'>;
  readonly topicArn: string;
  readonly logger: Logger;
}

export interface SnsChannels {
  list(): Promise<Channel[]>;
  add(input: ChannelInput): Promise<Channel>;
  remove(channelId: string): Promise<void>;
}

/** What SNS names a subscription that waits for confirmation (the SNS stand-in may spell it with spaces). */
const isPendingArn = (arn: string | undefined) => arn === undefined || !arn.startsWith('arn:');

export function createSnsChannels(deps: SnsChannelsDeps): SnsChannels {
  const { sns, topicArn } = deps;

  /** The filter of a confirmed subscription; a failure to read it leaves the channel listed without one. */
  const filterOf = async (subscriptionArn: string): Promise<Channel['filter']> => {
    try {
      const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }));
      const minSeverity = minSeverityOfFilterPolicy(Attributes?.['FilterPolicy']);
      return minSeverity ? { minSeverity } : undefined;
    } catch (err) {
      deps.logger.warn({ err, subscriptionArn }, 'subscription filter not readable; channel listed without it');
      return undefined;
    }
  };

  return {
    async list() {
      const channels: Channel[] = [];
      let NextToken: string | undefined;
      do {
        const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, ...(NextToken ? { NextToken } : {}) }));
        for (const s of page.Subscriptions ?? []) {
          const protocol = channelProtocols.find((p) => p === s.Protocol);
          if (!protocol || !s.Endpoint) continue; // not a channel Fleet makes (e.g. sqs, lambda)
          if (isPendingArn(s.SubscriptionArn)) {
            channels.push({ id: pendingChannelId(protocol, s.Endpoint), protocol, endpoint: s.Endpoint, status: 'pending' });
          } else {
            const arn = s.SubscriptionArn ?? '';
            const filter = await filterOf(arn);
            channels.push({ id: channelIdOf(arn), protocol, endpoint: s.Endpoint, status: 'confirmed', ...(filter ? { filter } : {}) });
          }
        }
        NextToken = page.NextToken;
      } while (NextToken && channels.length < channelLimits.maxChannels);
      return channels.slice(0, channelLimits.maxChannels);
    },

    async add(input) {
      const minSeverity = input.filter?.minSeverity;
      const { SubscriptionArn } = await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: input.protocol,
          Endpoint: input.endpoint,
          // The ARN even while pending, so that the caller can delete what they just made.
          ReturnSubscriptionArn: true,
          ...(minSeverity ? { Attributes: { FilterPolicy: JSON.stringify(severityFilterPolicy(minSeverity)) } } : {}),
        }),
      );
      const pending = isPendingArn(SubscriptionArn);
      return {
        id: pending ? pendingChannelId(input.protocol, input.endpoint) : channelIdOf(SubscriptionArn ?? ''),
        protocol: input.protocol,
        endpoint: input.endpoint,
        // Subscribe answers the ARN of a subscription that still waits for its owner: only a listing says confirmed.
        status: 'pending',
        ...(minSeverity ? { filter: { minSeverity } } : {}),
      };
    },

    async remove(channelId) {
      const decoded = decodeChannelId(channelId);
      if (decoded?.kind === 'pending') {
        throw apiError(
          'Conflict',
          'This channel waits for its confirmation: SNS cannot remove it, and removes it by itself if it is never confirmed',
        );
      }
      if (!decoded || !decoded.arn.startsWith(`${topicArn}:`)) throw apiError('ChannelNotFound', 'No notification channel with this id');
      try {
        await sns.send(new UnsubscribeCommand({ SubscriptionArn: decoded.arn }));
      } catch (err) {
        if (awsErrorName(err) === 'NotFoundException')
          throw apiError('ChannelNotFound', 'No notification channel with this id', { cause: err });
        throw err;
      }
    },
  };
}
