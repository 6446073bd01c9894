/**
 * Creates the platform's own IoT rules (core's `rules`) through the control plane's CreateTopicRule,
 * as `cdk deploy` creates its `AWS::IoT::TopicRule`s: the rules engine then runs them like any rule
 * created at run time. Idempotent across restarts: an existing rule is left alone when its payload is
 * the one the definition converts to, and replaced (ReplaceTopicRule) when the definition changed.
 */
import {
  CreateTopicRuleCommand,
  GetTopicRuleCommand,
  ReplaceTopicRuleCommand,
  type GetTopicRuleCommandOutput,
  type IoTClient,
  type TopicRulePayload as SdkTopicRulePayload,
} from '@aws-sdk/client-iot';
import { sameTopicRulePayload, toTopicRulePayload, type RuleDefinition, type TopicRulePayload, type TopicRuleTargets } from '@fleet/core';
import type { Logger } from 'pino';

/** What ensureTopicRules did to each rule. */
export type TopicRuleProvisioning = 'created' | 'replaced' | 'unchanged';

export async function ensureTopicRules(
  iot: IoTClient,
  definitions: readonly RuleDefinition[],
  targets: TopicRuleTargets,
  log?: Logger,
): Promise<Readonly<Record<string, TopicRuleProvisioning>>> {
  const done: Record<string, TopicRuleProvisioning> = {};
  for (const definition of definitions) {
    const payload = toTopicRulePayload(definition, targets);
    // The SDK's types are mutable; core's payload is the same JSON, read-only.
    const sdkPayload = payload as unknown as SdkTopicRulePayload;
    const existing = await iot.send(new GetTopicRuleCommand({ ruleName: definition.name })).catch((err: unknown) => {
      // AWS IoT answers UnauthorizedException for a rule it does not have.
      if ((err as { name?: string }).name === 'UnauthorizedException') return undefined;
      throw err;
    });
    if (!existing?.rule) {
      await iot.send(new CreateTopicRuleCommand({ ruleName: definition.name, topicRulePayload: sdkPayload }));
      done[definition.name] = 'created';
    } else if (sameTopicRulePayload(storedPayload(existing.rule), payload)) {
      done[definition.name] = 'unchanged';
    } else {
      await iot.send(new ReplaceTopicRuleCommand({ ruleName: definition.name, topicRulePayload: sdkPayload }));
      done[definition.name] = 'replaced';
    }
  }
  log?.info({ rules: done }, 'platform topic rules provisioned');
  return done;
}

/** GetTopicRule's `rule` as the payload it was created with. */
function storedPayload(rule: NonNullable<GetTopicRuleCommandOutput['rule']>): TopicRulePayload {
  const r = rule as Record<string, unknown>;
  return {
    sql: r.sql as string,
    description: r.description as string | undefined,
    awsIotSqlVersion: r.awsIotSqlVersion as string | undefined,
    ruleDisabled: r.ruleDisabled as boolean | undefined,
    actions: (r.actions ?? []) as TopicRulePayload['actions'],
    errorAction: r.errorAction as TopicRulePayload['errorAction'],
  };
}
