/**
 * Control-plane routes of topic rules (restJson1 paths of `@aws-sdk/client-iot`): CreateTopicRule
 * and ReplaceTopicRule (the body is the `TopicRulePayload` itself: the request's HTTP payload),
 * GetTopicRule, ListTopicRules (`topic`, `ruleDisabled`, `maxResults` up to 10,000, `nextToken`),
 * DeleteTopicRule, EnableTopicRule, DisableTopicRule. Shapes follow the AWS IoT API reference;
 * rules/topic-rules.ts decides.
 */
import type { TopicRules } from '../../rules/topic-rules.ts';
import { topicPatternOf } from '../../rules/topic-rules.ts';
import { boolParam, epochSeconds, intParam, paginate, type RestRoute } from '../rest-json.ts';

/** AWS: ListTopicRules maxResults 1–10,000. */
const maxPage = 10_000;

export function topicRuleRoutes(rules: TopicRules): RestRoute[] {
  const name = (labels: Readonly<Record<string, string>>) => labels.ruleName as string;
  return [
    { method: 'POST', path: '/rules/{ruleName}', operation: async (req) => void (await rules.create(name(req.labels), req.json())) },
    { method: 'PATCH', path: '/rules/{ruleName}', operation: async (req) => void (await rules.replace(name(req.labels), req.json())) },
    {
      method: 'GET',
      path: '/rules/{ruleName}',
      operation: (req) => {
        const rule = rules.get(name(req.labels));
        const { payload } = rule;
        return {
          ruleArn: rule.ruleArn,
          rule: {
            ruleName: rule.ruleName,
            sql: payload.sql,
            ...(payload.description === undefined ? {} : { description: payload.description }),
            createdAt: epochSeconds(rule.createdAt),
            actions: payload.actions,
            ...(payload.errorAction === undefined ? {} : { errorAction: payload.errorAction }),
            ruleDisabled: payload.ruleDisabled === true,
            // AWS's default when the payload names none.
            awsIotSqlVersion: payload.awsIotSqlVersion ?? '2015-10-08',
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/rules',
      operation: (req) => {
        const topic = req.query.get('topic');
        const ruleDisabled = boolParam(req.query, 'ruleDisabled');
        const listed = rules.list({ ...(topic === null ? {} : { topic }), ...(ruleDisabled === undefined ? {} : { ruleDisabled }) });
        const { page, next } = paginate(listed, req.query.get('nextToken'), intParam(req.query, 'maxResults'), maxPage);
        return {
          rules: page.map((r) => ({
            ruleArn: r.ruleArn,
            ruleName: r.ruleName,
            topicPattern: topicPatternOf(r.payload),
            createdAt: epochSeconds(r.createdAt),
            ruleDisabled: r.payload.ruleDisabled === true,
          })),
          ...(next ? { nextToken: next } : {}),
        };
      },
    },
    { method: 'DELETE', path: '/rules/{ruleName}', operation: async (req) => void (await rules.delete(name(req.labels))) },
    { method: 'POST', path: '/rules/{ruleName}/enable', operation: async (req) => void (await rules.setDisabled(name(req.labels), false)) },
    { method: 'POST', path: '/rules/{ruleName}/disable', operation: async (req) => void (await rules.setDisabled(name(req.labels), true)) },
  ];
}
