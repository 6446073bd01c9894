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
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { compileRule, type CompiledRule, type EvaluateOptions, type IotMessage, type RuleDefinition } from '@fleet/core';
import type { Logger } from 'pino';
import type { MessageOutcome } from '../iot/index.ts';
import { describeError, errorActionMessage, type ActionFailure } from './action-failure.ts';
import { prepareAction, type PreparedAction } from './rule-actions.ts';
import { createSqsBatcher, sdkBatchSender, type SqsBatchLimits, type SqsBatchSender } from './sqs-batcher.ts';

export interface RulesEngineDeps {
  readonly rules: readonly RuleDefinition[];
  /** Logical resource ids → physical names, as the runtime provisioned them. */
  readonly resolve: { queueUrl(queueId: string): string; bucketName(bucketId: string): string };
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
  readonly definition: RuleDefinition;
  readonly compiled: CompiledRule;
  readonly actions: readonly PreparedAction[];
  readonly errorAction: PreparedAction;
  readonly stats: RuleStats;
}

/**
 * Compiles every rule (SQL and action templates) up front.
 * @throws Error naming the rule when its SQL or a template does not compile.
 */
export function createRulesEngine(deps: RulesEngineDeps): RulesEngine {
  const maxInFlight = deps.maxInFlight ?? 256;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new Error(`maxInFlight must be a positive integer, received ${maxInFlight}`);
  const options = deps.evaluateOptions ?? {};
  const batcher =
    deps.sqsBatches === false
      ? undefined
      : deps.sqsBatches
        ? createSqsBatcher(deps.sqsBatches.send, deps.sqsBatches.limits)
        : createSqsBatcher(sdkBatchSender(deps.sqs));
  const actionClients = { ...deps, evaluateOptions: options, ...(batcher ? { sendToQueue: batcher.send } : {}) };
  const newUuid = options.newUuid ?? (() => globalThis.crypto.randomUUID());
  const prepared: PreparedRule[] = deps.rules.map((definition) => {
    try {
      return {
        definition,
        compiled: compileRule(definition.sql),
        actions: definition.actions.map((a) => prepareAction(definition.name, a, actionClients)),
        errorAction: prepareAction(definition.name, definition.errorAction, actionClients),
        stats: { matched: 0, failed: 0, errorActionFailed: 0, evaluationErrors: 0 },
      };
    } catch (err) {
      throw new Error(`IoT rule ${definition.name} does not compile: ${(err as Error).message}`, { cause: err });
    }
  });

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
      deps.log.error({ err, rule: rule.definition.name, topic: message.topic }, 'rule evaluation failed; running the error action');
      return [
        {
          failedAction: 'RuleEvaluation',
          failedResource: rule.definition.name,
          errorMessage: `Failed to evaluate the rule SQL. The error received was ${describeError(err)}. Message arrived on: ${message.topic}`,
        },
      ];
    }
    if (!result.matched) return [];
    rule.stats.matched++;
    const outcomes = await Promise.all(rule.actions.map((a) => a.run(message, result.output)));
    return outcomes.filter((f): f is ActionFailure => f !== undefined);
  }

  async function runRule(rule: PreparedRule, message: IotMessage): Promise<MessageOutcome> {
    const failures = await runActions(rule, message);
    if (failures.length === 0) return durable;

    rule.stats.failed++;
    const errorMessage = errorActionMessage(rule.definition.name, message, failures, newUuid());
    deps.log.warn({ rule: rule.definition.name, topic: message.topic, failures }, 'rule action failed; running the error action');
    // The error action sees the error message as its payload, as on AWS.
    const errorInput: IotMessage = { ...message, payload: new TextEncoder().encode(JSON.stringify(errorMessage)) };
    const errorFailure = await rule.errorAction.run(errorInput, errorMessage);
    if (errorFailure === undefined) return durable;
    rule.stats.errorActionFailed++;
    deps.log.error(
      { rule: rule.definition.name, topic: message.topic, failure: errorFailure },
      'rule error action failed; message not durable',
    );
    return {
      durable: false,
      reason: `rule ${rule.definition.name}: ${failures.map((f) => f.errorMessage).join('; ')}; the error action failed too: ${errorFailure.errorMessage}`,
    };
  }

  async function processMessage(message: IotMessage): Promise<MessageOutcome> {
    const outcomes = await Promise.all(prepared.filter((r) => r.compiled.matchesTopic(message.topic)).map((r) => runRule(r, message)));
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
        rules: Object.fromEntries(prepared.map((r) => [r.definition.name, { ...r.stats }])),
      };
    },
  };
}
