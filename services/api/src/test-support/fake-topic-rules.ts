/**
 * In-memory AWS IoT topic rules and topic rule destinations behind the fake IoT client, answering
 * like AWS: GetTopicRule of a missing rule is an UnauthorizedException, a second CreateTopicRule a
 * ResourceAlreadyExistsException, a new destination IN_PROGRESS until its receiver confirms.
 */
import type { TopicRule, TopicRulePayload } from '@aws-sdk/client-iot';
import { awsError, type Handler } from './fake-aws-client.ts';

export interface FakeTopicRules {
  readonly handlers: Record<string, Handler>;
  readonly rules: Map<string, TopicRule>;
  /** confirmationUrl → status */
  readonly destinations: Map<string, string>;
}

export function fakeTopicRules(): FakeTopicRules {
  const rules = new Map<string, TopicRule>();
  const destinations = new Map<string, string>();
  const stored = (input: Record<string, unknown>) => {
    const rule = rules.get(String(input['ruleName']));
    if (!rule) throw awsError('UnauthorizedException', 'rule not found or not permitted');
    return rule;
  };
  const write = (input: Record<string, unknown>, createdAt: Date) => {
    const payload = input['topicRulePayload'] as TopicRulePayload;
    rules.set(String(input['ruleName']), { ...payload, ruleName: String(input['ruleName']), createdAt });
    return {};
  };
  const handlers: Record<string, Handler> = {
    CreateTopicRule: (input) => {
      if (rules.has(String(input['ruleName']))) throw awsError('ResourceAlreadyExistsException');
      return write(input, new Date('2026-12-01T10:00:00.000Z'));
    },
    ReplaceTopicRule: (input) => write(input, stored(input).createdAt ?? new Date()),
    GetTopicRule: (input) => ({ rule: stored(input) }),
    DeleteTopicRule: (input) => {
      stored(input);
      rules.delete(String(input['ruleName']));
      return {};
    },
    EnableTopicRule: (input) => void (stored(input).ruleDisabled = false),
    DisableTopicRule: (input) => void (stored(input).ruleDisabled = true),
    ListTopicRules: () => ({
      rules: [
        // The platform's rules are in the account too; the API never lists them from AWS.
        { ruleName: 'fleet_telemetry_ingest', ruleDisabled: false },
        ...[...rules.values()].map((r) => ({ ruleName: r.ruleName, ruleDisabled: r.ruleDisabled })),
      ],
    }),
    CreateTopicRuleDestination: (input) => {
      const config = input['destinationConfiguration'] as { httpUrlConfiguration: { confirmationUrl: string } };
      destinations.set(config.httpUrlConfiguration.confirmationUrl, 'IN_PROGRESS');
      return {
        topicRuleDestination: {
          arn: `arn:aws:iot:us-east-1:000000000000:ruledestination/http/${destinations.size}`,
          status: 'IN_PROGRESS',
        },
      };
    },
    ListTopicRuleDestinations: () => ({
      destinationSummaries: [...destinations].map(([confirmationUrl, status]) => ({ status, httpUrlSummary: { confirmationUrl } })),
    }),
  };
  return { handlers, rules, destinations };
}
