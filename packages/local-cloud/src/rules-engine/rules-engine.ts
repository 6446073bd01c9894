/**
 * The local AWS IoT rules engine: evaluates every rule whose FROM filter matches a message the broker
 * accepted, runs the rule's actions with the SELECT output, and when any action fails, runs the rule's
 * error action once with the AWS error-action message
 * (https://docs.aws.amazon.com/iot/latest/developerguide/rule-error-handling.html).
 *
 * Work is bounded without losing anything: at most `maxInFlight` messages are processed at once, and
 * `handle()` resolves only when a message's actions (or its error action) are done, with whether the
 * message is durable. The broker holds the device's PUBACK until then and withholds it when the
 * answer is "not durable" (publish-gate.ts), so a flood slows the publishers (MQTT flow control)
 * instead of growing memory, and no device believes delivered a message that was dropped.
 *
 * A message whose SQL evaluation throws (a payload the evaluator cannot handle, e.g. JSON nested so
 * deep that serialising it overflows the stack) goes to the rule's error action with the reason,
 * like a failed action: AWS IoT only logs such errors, but Fleet promises that an acknowledged
 * message is processed or kept as a dead letter.
 *
 * The rule set changes at run time: the engine runs what its `source` holds (the control plane's
 * topic rules), in AWS's `TopicRulePayload` shape. When the source's `revision` moved, the next
 * message rebuilds the set (an unchanged rule keeps its compiled form and its counters); a message
 * already being processed finishes with the set it started with. Disabled rules do not run.
 *
 * Basic Ingest (https://docs.aws.amazon.com/iot/latest/developerguide/iot-basic-ingest.html): a
 * message on `$aws/rules/<ruleName>/<topic>` goes to that rule only, evaluated as if it had been
 * published on `<topic>` (FROM filter, `topic()`); an unknown or disabled rule drops it (logged).
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  compileRule,
  parseBasicIngestTopic,
  toTopicRulePayload,
  topicRuleSqlVersion,
  type CompiledRule,
  type EvaluateOptions,
  type IotMessage,
  type RuleDefinition,
  type TopicRulePayload,
} from '@fleet/core';
import type { Logger } from 'pino';
import type { MessageOutcome } from '../iot/index.ts';
import { describeError, errorActionMessage, type ActionFailure } from './action-failure.ts';
import type { HttpDestinations } from './http-action.ts';
import { prepareAction, type PreparedAction } from './rule-actions.ts';
import type { SnsPublish } from './sns-action.ts';
import { createSqsBatcher, sdkBatchSender, type SqsBatchLimits, type SqsBatchSender } from './sqs-batcher.ts';

/** One rule as the control plane holds it. */
export interface SourcedRule {
  readonly ruleName: string;
  readonly payload: TopicRulePayload;
}

/** A rule set that may change while the engine runs (the IoT stand-in's `topicRules`). */
export interface RuleSource {
  /** Grows with every change; the engine rebuilds its set when it moved. */
  readonly revision: number;
  rules(): readonly SourcedRule[];
}

/** Logical resource ids → physical names, as the runtime provisioned them (for `rules` given as definitions). */
export interface RuleTargetResolver {
  queueUrl(queueId: string): string;
  bucketName(bucketId: string): string;
  tableName?(tableId: string): string;
  topicArn?(topicId: string): string;
}

export interface RulesEngineDeps {
  /**
   * The rules: a fixed list of the platform's definitions (converted with `resolve`), or a source
   * that changes at run time (the control plane's topic rules). One of the two.
   */
  readonly rules?: readonly RuleDefinition[];
  readonly source?: RuleSource;
  /** Logical resource ids → physical names, for `rules`. */
  readonly resolve?: RuleTargetResolver;
  /** The dynamoDBv2 action's client. */
  readonly dynamodb?: DynamoDBClient;
  /** The sns action's sender (`snsPublisher(client)`). */
  readonly snsPublish?: SnsPublish;
  /** The topic rule destinations an http action needs ENABLED. */
  readonly httpDestinations?: HttpDestinations;
  readonly sqs: SQSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly s3: S3Client;
  /** Publishes through the broker (republish action). */
  readonly republish: (topic: string, payload: Buffer, qos: 0 | 1) => Promise<void> | void;
  readonly log: Logger;
  /**
   * Messages processed at once; beyond it `handle()` waits for a free slot.
   * @default 256
   */
  readonly maxInFlight?: number;
  /**
   * How the SQS action's messages travel (sqs-batcher.ts): in batches through `send` (the local
   * cloud passes the SQS stand-in's in-process sender), or `false` for one SendMessage per message
   * through `sqs`. @default SendMessageBatch calls through `sqs`
   */
  readonly sqsBatches?: false | { readonly send: SqsBatchSender; readonly limits: SqsBatchLimits };
  /** Overrides of `newuuid()` (also used for `cloudwatchTraceId`), `rand()`, `accountid()`; for tests. */
  readonly evaluateOptions?: EvaluateOptions;
}

/** Counters of one rule. */
export interface RuleStats {
  /** Messages for which the rule fired (FROM and WHERE matched). */
  matched: number;
  /** Messages for which at least one action failed (the error action ran). */
  failed: number;
  /** Error actions that failed too: those messages are lost, as on AWS. */
  errorActionFailed: number;
  /** Messages whose SQL evaluation threw; they went to the error action. */
  evaluationErrors: number;
}

export interface RulesEngineStats {
  readonly handled: number;
  /** Messages waiting for a free slot because `maxInFlight` messages were being processed. */
  readonly waiting: number;
  readonly inFlight: number;
  readonly rules: Readonly<Record<string, Readonly<RuleStats>>>;
}

export interface HandleOptions {
  /**
   * A message the service publishes itself (lifecycle event, republish, data-plane Publish) is
   * admitted at once instead of waiting for a slot: a republish action waits for its message, and
   * making it queue behind the messages holding every slot would deadlock the engine. Its producers
   * are bounded by themselves (connections, in-flight messages, HTTP requests).
   * @default false
   */
  readonly fromService?: boolean;
}

export interface RulesEngine {
  /**
   * Processes one message. The returned promise settles when this message's actions (and error
   * action) are done; it never rejects. `durable` is false when, for some matching rule, an action
   * and then the error action failed: the message is lost unless its publisher sends it again.
   */
  handle(message: IotMessage, options?: HandleOptions): Promise<MessageOutcome>;
  /** Resolves when every message handed over so far has been processed (graceful shutdown, tests). */
  drain(): Promise<void>;
  stats(): RulesEngineStats;
}

const durable: MessageOutcome = { durable: true };

interface PreparedRule {
  readonly name: string;
  readonly payload: TopicRulePayload;
  readonly compiled: CompiledRule;
  readonly actions: readonly PreparedAction[];
  readonly errorAction: PreparedAction | undefined;
  readonly stats: RuleStats;
}

interface RuleSet {
  readonly revision: number;
  /** Enabled rules, for messages on ordinary topics. */
  readonly enabled: readonly PreparedRule[];
  /** Every rule by name (Basic Ingest names its rule). */
  readonly byName: ReadonlyMap<string, PreparedRule>;
}

/** The role the platform's own rules name locally: the local cloud does not assume it. */
const localRuleRole = 'arn:aws:iam::000000000000:role/fleet-local-rules';

/** A fixed list of definitions as a source that never changes. */
function staticSource(rules: readonly RuleDefinition[], resolve: RuleTargetResolver | undefined): RuleSource {
  const unresolved = (what: string) => (id: string) => {
    throw new Error(`the rules engine was given no resolver for ${what} ${id}`);
  };
  const targets = {
    queueUrl: resolve?.queueUrl.bind(resolve) ?? unresolved('queue'),
    bucketName: resolve?.bucketName.bind(resolve) ?? unresolved('bucket'),
    tableName: resolve?.tableName?.bind(resolve) ?? unresolved('table'),
    topicArn: resolve?.topicArn?.bind(resolve) ?? unresolved('SNS topic'),
    roleArn: localRuleRole,
  };
  const sourced = rules.map((r) => {
    try {
      return { ruleName: r.name, payload: toTopicRulePayload(r, targets) };
    } catch (err) {
      throw new Error(`IoT rule ${r.name} does not compile: ${(err as Error).message}`, { cause: err });
    }
  });
  return { revision: 0, rules: () => sourced };
}

/**
 * Runs the rules of `deps.source` (or the fixed `deps.rules`). With `rules`, every rule is
 * compiled up front.
 * @throws Error naming the rule when one of the fixed `rules` does not compile.
 */
export function createRulesEngine(deps: RulesEngineDeps): RulesEngine {
  const maxInFlight = deps.maxInFlight ?? 256;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new Error(`maxInFlight must be a positive integer, received ${maxInFlight}`);
  if ((deps.rules === undefined) === (deps.source === undefined)) throw new Error('give the rules engine either rules or a source');
  const options = deps.evaluateOptions ?? {};
  const batcher =
    deps.sqsBatches === false
      ? undefined
      : deps.sqsBatches
        ? createSqsBatcher(deps.sqsBatches.send, deps.sqsBatches.limits)
        : createSqsBatcher(sdkBatchSender(deps.sqs));
  const actionClients = { ...deps, evaluateOptions: options, ...(batcher ? { sendToQueue: batcher.send } : {}) };
  const newUuid = options.newUuid ?? (() => globalThis.crypto.randomUUID());
  const source = deps.source ?? staticSource(deps.rules ?? [], deps.resolve);
  /** Counters by rule name: they survive a replacement of the rule (AWS's metrics are per rule name). */
  const statsByName = new Map<string, RuleStats>();

  function prepare(rule: SourcedRule): PreparedRule {
    const { ruleName, payload } = rule;
    let stats = statsByName.get(ruleName);
    if (!stats) statsByName.set(ruleName, (stats = { matched: 0, failed: 0, errorActionFailed: 0, evaluationErrors: 0 }));
    return {
      name: ruleName,
      payload,
      compiled: compileRule(payload.sql, { awsIotSqlVersion: topicRuleSqlVersion(payload), ruleName }),
      actions: payload.actions.map((a) => prepareAction(ruleName, a, actionClients)),
      errorAction: payload.errorAction === undefined ? undefined : prepareAction(ruleName, payload.errorAction, actionClients),
      stats,
    };
  }

  function build(previous: RuleSet | undefined): RuleSet {
    const revision = source.revision;
    const all: PreparedRule[] = [];
    for (const rule of source.rules()) {
      const kept = previous?.byName.get(rule.ruleName);
      if (kept && kept.payload === rule.payload) {
        all.push(kept);
        continue;
      }
      try {
        all.push(prepare(rule));
      } catch (err) {
        // The control plane validates what it stores, so only a fixed definition can fail here: a bug to fail on.
        if (deps.source === undefined)
          throw new Error(`IoT rule ${rule.ruleName} does not compile: ${(err as Error).message}`, { cause: err });
        deps.log.error({ err, rule: rule.ruleName }, 'topic rule does not compile; it does not run');
      }
    }
    const byName = new Map(all.map((r) => [r.name, r]));
    for (const name of statsByName.keys()) if (!byName.has(name)) statsByName.delete(name);
    return { revision, byName, enabled: all.filter((r) => r.payload.ruleDisabled !== true) };
  }

  let ruleSet = build(undefined);
  const currentRuleSet = (): RuleSet => {
    if (ruleSet.revision !== source.revision) ruleSet = build(ruleSet);
    return ruleSet;
  };

  const pending = new Set<Promise<MessageOutcome>>();
  let handled = 0;
  /** Callers of handle() waiting for a slot, first come first served. */
  const waiters: (() => void)[] = [];
  /** Messages handed to handle() and not yet in `pending` (waiting, or between a wake-up and admission). */
  let admitting = 0;

  /** Runs the rule's actions; the failures, empty when the rule did not match or every action succeeded. */
  async function runActions(rule: PreparedRule, message: IotMessage): Promise<ActionFailure[]> {
    let result;
    try {
      result = rule.compiled.evaluate(message, options);
    } catch (err) {
      rule.stats.evaluationErrors++;
      deps.log.error({ err, rule: rule.name, topic: message.topic }, 'rule evaluation failed; running the error action');
      return [
        {
          failedAction: 'RuleEvaluation',
          failedResource: rule.name,
          errorMessage: `Failed to evaluate the rule SQL. The error received was ${describeError(err)}. Message arrived on: ${message.topic}`,
        },
      ];
    }
    if (!result.matched) return [];
    rule.stats.matched++;
    const outcomes = await Promise.all(rule.actions.map((a) => a.run(message, result.output, result.variables)));
    return outcomes.filter((f): f is ActionFailure => f !== undefined);
  }

  async function runRule(rule: PreparedRule, message: IotMessage, original: IotMessage = message): Promise<MessageOutcome> {
    const failures = await runActions(rule, message);
    if (failures.length === 0) return durable;

    rule.stats.failed++;
    deps.log.warn({ rule: rule.name, topic: original.topic, failures }, 'rule action failed; running the error action');
    if (!rule.errorAction) {
      // AWS: without an error action, a failed action is only logged.
      return durable;
    }
    const errorMessage = errorActionMessage(rule.name, original, failures, newUuid());
    // The error action sees the error message as its payload, as on AWS.
    const errorInput: IotMessage = { ...original, payload: new TextEncoder().encode(JSON.stringify(errorMessage)) };
    const errorFailure = await rule.errorAction.run(errorInput, errorMessage);
    if (errorFailure === undefined) return durable;
    rule.stats.errorActionFailed++;
    deps.log.error({ rule: rule.name, topic: original.topic, failure: errorFailure }, 'rule error action failed; message not durable');
    return {
      durable: false,
      reason: `rule ${rule.name}: ${failures.map((f) => f.errorMessage).join('; ')}; the error action failed too: ${errorFailure.errorMessage}`,
    };
  }

  /** A Basic Ingest message: to its one rule, as if published on the topic after the prefix. */
  async function ingestDirectly(set: RuleSet, message: IotMessage): Promise<MessageOutcome> {
    const addressed = parseBasicIngestTopic(message.topic);
    const rule = addressed ? set.byName.get(addressed.ruleName) : undefined;
    if (!addressed || !rule || rule.payload.ruleDisabled === true) {
      // AWS drops a Basic Ingest message whose rule does not exist or is disabled; the log says why.
      const reason = !addressed ? 'not a Basic Ingest topic' : rule ? 'disabled' : 'unknown';
      deps.log.warn(
        { topic: message.topic, clientId: message.clientId, rule: addressed?.ruleName, reason },
        'basic ingest message dropped',
      );
      return durable;
    }
    // A rule with FROM matches the topic after the prefix; one without FROM matches its own Basic
    // Ingest topics (core's compileRule), and `topic()` strips the prefix either way.
    const evaluated: IotMessage = rule.compiled.topicFilter === '' ? message : { ...message, topic: addressed.topic };
    if (!rule.compiled.matchesTopic(evaluated.topic)) return durable;
    return runRule(rule, evaluated, message);
  }

  async function processMessage(message: IotMessage): Promise<MessageOutcome> {
    // Taken once: this message runs with the rule set of the moment it arrived.
    const set = currentRuleSet();
    if (message.topic.startsWith('$aws/rules/')) return ingestDirectly(set, message);
    const outcomes = await Promise.all(set.enabled.filter((r) => r.compiled.matchesTopic(message.topic)).map((r) => runRule(r, message)));
    return outcomes.find((o) => !o.durable) ?? durable;
  }

  return {
    async handle(message, handleOptions = {}) {
      if (!handleOptions.fromService) {
        admitting++;
        while (pending.size >= maxInFlight) await new Promise<void>((resolve) => waiters.push(resolve));
        admitting--;
      }
      handled++;
      const work = processMessage(message)
        .catch((err: unknown): MessageOutcome => {
          deps.log.error({ err, topic: message.topic }, 'rules engine failed on a message');
          return { durable: false, reason: `rules engine failed: ${describeError(err)}` };
        })
        .finally(() => {
          pending.delete(work);
          if (pending.size < maxInFlight) waiters.shift()?.();
        });
      pending.add(work);
      return work;
    },
    async drain() {
      while (pending.size > 0 || admitting > 0) {
        if (pending.size > 0) await Promise.allSettled([...pending]);
        else await new Promise((resolve) => setImmediate(resolve));
      }
    },
    stats() {
      return {
        handled,
        waiting: waiters.length,
        inFlight: pending.size,
        rules: Object.fromEntries([...statsByName].map(([name, stats]) => [name, { ...stats }])),
      };
    },
  };
}
