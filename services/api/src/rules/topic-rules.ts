/**
 * Users' topic rules in AWS IoT: the contract's rules (`rule-contract.ts`) turned into
 * TopicRulePayloads and back. Every user rule is stored as `user_<name>`, so the task role (allowed
 * `rule/user_*` only) can never touch the platform's `fleet_*` rules; those are shown from their
 * definitions in code (`rules.ts`), which is what deployed them.
 *
 * A webhook is AWS IoT's `http` action, which AWS sends only to a confirmed topic rule destination
 * (https://docs.aws.amazon.com/iot/latest/developerguide/rule-destination.html): the destination
 * is created with the rule and its status reported with the action until the receiver confirms.
 */
import {
  CreateTopicRuleCommand,
  CreateTopicRuleDestinationCommand,
  DeleteTopicRuleCommand,
  DisableTopicRuleCommand,
  EnableTopicRuleCommand,
  GetTopicRuleCommand,
  ListTopicRuleDestinationsCommand,
  ListTopicRulesCommand,
  ReplaceTopicRuleCommand,
  type Action,
  type IoTClient,
  type TopicRule,
  type TopicRulePayload,
} from '@aws-sdk/client-iot';
import {
  awsRuleName,
  mapWithLimit,
  rules as platformRules,
  ruleLimits,
  topicRuleDestinationStatuses,
  userRuleName,
  type Rule,
  type RuleActionView,
  type RuleDefinition,
  type RuleInput,
  type UserRuleAction,
} from '@fleet/core';
import { awsErrorName } from '../aws-clients.ts';
import { apiError } from '../errors.ts';

export interface TopicRulesDeps {
  readonly iot: Pick<IoTClient, 'send'>;
  /** The role AWS IoT assumes for republish and sns actions (`userRulesRole`). */
  readonly roleArn: string;
  /** Where `notify` publishes: the alarm notifications topic. */
  readonly alarmTopicArn: string;
}

/** A user's rule as the API writes it: the input without its name. */
export type UserRuleContent = Omit<RuleInput, 'name'>;

export interface TopicRules {
  /** The platform's rules (read-only) then the users' rules, by name. */
  list(): Promise<Rule[]>;
  /** A user's rule, or undefined. */
  get(name: string): Promise<Rule | undefined>;
  create(name: string, content: UserRuleContent): Promise<Rule>;
  replace(name: string, content: UserRuleContent): Promise<Rule>;
  delete(name: string): Promise<void>;
  setEnabled(name: string, enabled: boolean): Promise<Rule>;
}

type DestinationStatus = (typeof topicRuleDestinationStatuses)[number];

export function createTopicRules(deps: TopicRulesDeps): TopicRules {
  const { iot } = deps;

  /** Confirmation URL → destination status, for the webhook actions shown. */
  const destinationStatuses = async (): Promise<Map<string, DestinationStatus>> => {
    const statuses = new Map<string, DestinationStatus>();
    let nextToken: string | undefined;
    do {
      const page = await iot.send(new ListTopicRuleDestinationsCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
      for (const d of page.destinationSummaries ?? []) {
        const url = d.httpUrlSummary?.confirmationUrl;
        const status = topicRuleDestinationStatuses.find((s) => s === d.status);
        if (url && status) statuses.set(url, status);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return statuses;
  };

  /** AWS sends an http action only to a URL under a destination's confirmation URL. */
  const statusOf = (statuses: Map<string, DestinationStatus>, url: string): DestinationStatus | undefined =>
    statuses.get(url) ?? [...statuses].find(([confirmationUrl]) => url.startsWith(confirmationUrl))?.[1];

  const ensureDestinations = async (content: UserRuleContent): Promise<void> => {
    const urls = [...content.actions, ...(content.errorAction ? [content.errorAction] : [])].flatMap((a) =>
      a.kind === 'webhook' ? [a.url] : [],
    );
    if (urls.length === 0) return;
    const statuses = await destinationStatuses();
    for (const url of new Set(urls)) {
      if (statusOf(statuses, url) !== undefined) continue;
      await iot.send(
        new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: url } } }),
      );
    }
  };

  const toAwsAction = (action: UserRuleAction): Action => {
    switch (action.kind) {
      case 'republish':
        return { republish: { roleArn: deps.roleArn, topic: action.topic, qos: 0 } };
      case 'webhook':
        return { http: { url: action.url } };
      case 'notify':
        // RAW: subscribers get the rule's output as it is (https://docs.aws.amazon.com/iot/latest/developerguide/sns-rule-action.html).
        return { sns: { targetArn: deps.alarmTopicArn, roleArn: deps.roleArn, messageFormat: 'RAW' } };
    }
  };

  const payloadOf = (content: UserRuleContent): TopicRulePayload => ({
    sql: content.sql,
    description: content.description ?? '',
    awsIotSqlVersion: '2016-03-23',
    ruleDisabled: content.enabled === false,
    actions: content.actions.map(toAwsAction),
    ...(content.errorAction ? { errorAction: toAwsAction(content.errorAction) } : {}),
  });

  const toView = (action: Action, statuses: Map<string, DestinationStatus>): RuleActionView => {
    if (action.republish?.topic) return { kind: 'republish', topic: action.republish.topic };
    if (action.http?.url) {
      const status = statusOf(statuses, action.http.url);
      return { kind: 'webhook', url: action.http.url, ...(status ? { destinationStatus: status } : {}) };
    }
    if (action.sns?.targetArn === deps.alarmTopicArn) return { kind: 'notify' };
    const type = Object.entries(action).find(([, value]) => value !== undefined)?.[0] ?? 'unknown';
    return { kind: 'other', type, description: `An AWS IoT ${type} action made outside Fleet` };
  };

  const ruleView = (name: string, rule: TopicRule, statuses: Map<string, DestinationStatus>): Rule => ({
    name,
    description: rule.description ?? '',
    sql: rule.sql ?? '',
    enabled: rule.ruleDisabled !== true,
    actions: (rule.actions ?? []).map((a) => toView(a, statuses)),
    ...(rule.errorAction ? { errorAction: toView(rule.errorAction, statuses) } : {}),
    ...(rule.createdAt ? { createdAt: rule.createdAt.toISOString() } : {}),
    platform: false,
  });

  const hasWebhook = (rule: TopicRule) => [...(rule.actions ?? []), ...(rule.errorAction ? [rule.errorAction] : [])].some((a) => a.http);

  /** The stored rule, or undefined. AWS answers UnauthorizedException for a rule that does not exist. */
  const fetch = async (name: string): Promise<TopicRule | undefined> => {
    // No user rule has a longer name; AWS would refuse `user_<name>` beyond 128 characters.
    if (!ruleLimits.namePattern.test(name)) return undefined;
    try {
      return (await iot.send(new GetTopicRuleCommand({ ruleName: awsRuleName(name) }))).rule;
    } catch (err) {
      if (['ResourceNotFoundException', 'UnauthorizedException'].includes(awsErrorName(err))) return undefined;
      throw err;
    }
  };

  const get = async (name: string): Promise<Rule | undefined> => {
    const rule = await fetch(name);
    if (!rule) return undefined;
    return ruleView(name, rule, hasWebhook(rule) ? await destinationStatuses() : new Map());
  };

  const existing = async (name: string): Promise<Rule> => {
    const rule = await get(name);
    if (!rule) throw apiError('RuleNotFound', `No rule named "${name}"`);
    return rule;
  };

  /** AWS's refusals of a payload are the caller's mistakes. */
  const writing = async (name: string, write: () => Promise<unknown>): Promise<void> => {
    try {
      await write();
    } catch (err) {
      const code = awsErrorName(err);
      if (code === 'ResourceAlreadyExistsException') throw apiError('RuleExists', `A rule named "${name}" exists already`, { cause: err });
      if (code === 'SqlParseException' || code === 'InvalidRequestException') {
        throw apiError('ValidationError', `AWS IoT refused the rule: ${err instanceof Error ? err.message : code}`, { cause: err });
      }
      throw err;
    }
  };

  return {
    async list() {
      const names: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await iot.send(new ListTopicRulesCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
        for (const r of page.rules ?? []) {
          const name = r.ruleName === undefined ? undefined : userRuleName(r.ruleName);
          if (name !== undefined) names.push(name);
        }
        nextToken = page.nextToken;
      } while (nextToken && names.length < ruleLimits.maxUserRules);
      const stored = (
        await mapWithLimit(names.slice(0, ruleLimits.maxUserRules), 4, async (name) => ({ name, rule: await fetch(name) }))
      ).flatMap(({ name, rule }) => (rule ? [{ name, rule }] : []));
      const statuses = stored.some(({ rule }) => hasWebhook(rule)) ? await destinationStatuses() : new Map<string, DestinationStatus>();
      return [...platformRules.map(platformRuleView), ...stored.map(({ name, rule }) => ruleView(name, rule, statuses))];
    },
    get,
    async create(name, content) {
      await ensureDestinations(content);
      await writing(name, () =>
        iot.send(new CreateTopicRuleCommand({ ruleName: awsRuleName(name), topicRulePayload: payloadOf(content) })),
      );
      return existing(name);
    },
    async replace(name, content) {
      await existing(name);
      await ensureDestinations(content);
      await writing(name, () =>
        iot.send(new ReplaceTopicRuleCommand({ ruleName: awsRuleName(name), topicRulePayload: payloadOf(content) })),
      );
      return existing(name);
    },
    async delete(name) {
      await existing(name);
      await iot.send(new DeleteTopicRuleCommand({ ruleName: awsRuleName(name) }));
    },
    async setEnabled(name, enabled) {
      await existing(name);
      const command = enabled
        ? new EnableTopicRuleCommand({ ruleName: awsRuleName(name) })
        : new DisableTopicRuleCommand({ ruleName: awsRuleName(name) });
      await iot.send(command);
      return existing(name);
    },
  };
}

/** A platform rule as users see it: its definition in code, read-only. */
export function platformRuleView(rule: RuleDefinition): Rule {
  return {
    name: rule.name,
    description: rule.description,
    sql: rule.sql,
    enabled: true,
    actions: rule.actions.map((a) => ({ kind: 'other', type: a.kind, description: describePlatformAction(a) })),
    errorAction: { kind: 'other', type: rule.errorAction.kind, description: describePlatformAction(rule.errorAction) },
    platform: true,
  };
}

function describePlatformAction(action: RuleDefinition['actions'][number]): string {
  switch (action.kind) {
    case 'sqs':
      return `SQS queue ${action.queueId}`;
    case 'cloudwatchMetric':
      return `CloudWatch metric ${action.metricNamespace}/${action.metricName}`;
    case 'cloudwatchAlarm':
      return `CloudWatch alarm ${action.alarmName} → ${action.stateValue}`;
    case 'cloudwatchLogs':
      return `CloudWatch Logs ${action.logGroupName}`;
    case 'republish':
      return `Republish to ${action.topic}`;
    case 's3':
      return `S3 bucket ${action.bucketId}, key ${action.key}`;
    case 'http':
      return `HTTPS POST to ${action.url}`;
    case 'dynamoDBv2':
      return `DynamoDB table ${action.tableId}`;
    case 'sns':
      return `SNS topic ${action.topicId} (${action.messageFormat})`;
  }
}
