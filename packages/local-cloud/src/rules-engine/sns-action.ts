/**
 * The SNS action (https://docs.aws.amazon.com/iot/latest/developerguide/sns-rule-action.html):
 * publishes the SELECT output to `targetArn`; `messageFormat` JSON asks SNS to read per-protocol
 * messages from it (Publish's `MessageStructure: json`), RAW (the default) sends it as is. The
 * sender is injected: `snsPublisher(client)` calls `@aws-sdk/client-sns` against the local endpoint.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { outputToText, type TopicRuleActionPayload } from '@fleet/core';
import { actionFailure } from './action-failure-message.ts';
import type { PreparedAction } from './rule-actions.ts';

export interface SnsPublishInput {
  readonly targetArn: string;
  readonly message: string;
  readonly messageStructure?: 'json';
}

export type SnsPublish = (input: SnsPublishInput) => Promise<void>;

/** Publishes through an SNS client (pointed at the local endpoint by the launcher). */
export function snsPublisher(client: SNSClient): SnsPublish {
  return async ({ targetArn, message, messageStructure }) => {
    await client.send(
      new PublishCommand({ TargetArn: targetArn, Message: message, ...(messageStructure ? { MessageStructure: messageStructure } : {}) }),
    );
  };
}

export function prepareSnsAction(action: NonNullable<TopicRuleActionPayload['sns']>, publish: SnsPublish | undefined): PreparedAction {
  return {
    kind: 'sns',
    async run(message, output) {
      try {
        if (!publish) throw new Error('the rules engine has no SNS publisher');
        await publish({
          targetArn: action.targetArn,
          message: outputToText(output),
          ...(action.messageFormat === 'JSON' ? { messageStructure: 'json' as const } : {}),
        });
        return undefined;
      } catch (err) {
        return actionFailure(
          'SnsAction',
          action.targetArn,
          'publish SNS message',
          err,
          message,
          `Action: sns, TargetArn: ${action.targetArn}`,
        );
      }
    },
  };
}
