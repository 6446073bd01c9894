/**
 * IAM actions and resources of SNS (Service Authorization Reference, "Amazon SNS"): the action is
 * `sns:<Operation>` on the topic the request names. A subscription is authorized on its topic
 * (its ARN is the topic ARN plus `:<id>`), PublishBatch as `sns:Publish`, and the listing
 * operations on `*`, as AWS does.
 */
import type { AwsRequest } from '../aws-endpoint/aws-request.ts';
import { queryParameters } from '../aws-endpoint/query-protocol.ts';
import type { AccessCheck } from './access-check.ts';
import type { LocalArns } from './local-arns.ts';

const batchActions: Readonly<Record<string, string>> = { PublishBatch: 'Publish' };

export function snsAccess(req: AwsRequest, arns: LocalArns): AccessCheck[] {
  const params = queryParameters(req.headers, req.query, req.body);
  const operation = req.operation ?? '';
  const action = `sns:${batchActions[operation] ?? operation}`;
  return [{ action, resource: snsResource(operation, params, arns) }];
}

function snsResource(operation: string, params: URLSearchParams, arns: LocalArns): string {
  const get = (name: string) => params.get(name) ?? undefined;
  switch (operation) {
    case 'CreateTopic': {
      const name = get('Name');
      return name === undefined ? '*' : arns.topicArn(name);
    }
    case 'GetSubscriptionAttributes':
    case 'SetSubscriptionAttributes':
    case 'Unsubscribe':
      return topicOfSubscription(get('SubscriptionArn')) ?? '*';
    case 'TagResource':
    case 'UntagResource':
    case 'ListTagsForResource':
      return get('ResourceArn') ?? '*';
    case 'ListTopics':
    case 'ListSubscriptions':
      return '*';
    default:
      return get('TopicArn') ?? get('TargetArn') ?? '*';
  }
}

/** `arn:aws:sns:<region>:<account>:<topic>:<id>` → the topic's ARN. */
function topicOfSubscription(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const parts = arn.split(':');
  return parts.length === 7 ? parts.slice(0, 6).join(':') : undefined;
}
