/**
 * Compiles an AWS IoT rule's SQL statement once; evaluates it per message.
 */
import { createEvalContext, parsePayload } from './context.ts';
import { assignVariables, project, whereHolds } from './evaluate.ts';
import { parseBasicIngestTopic } from './basic-ingest.ts';
import { IotSqlError } from './iot-sql-error.ts';
import type { EvaluateOptions, IotMessage } from './message.ts';
import { parseQuery } from './parser.ts';
import { defaultSqlVersion, sqlVersions, type SqlVersion } from './sql-version.ts';
import { topicFilterProblem, topicMatches } from './topic-filter.ts';
import { validateQuery } from './validate.ts';
import type { SqlValue } from './values.ts';

/**
 * Result of a rule for one message: no match (topic or WHERE), or the SELECT output and the SET
 * clause's variables (pass them to the action templates as `EvaluateOptions.variables`).
 */
export type RuleEvaluation =
  | { readonly matched: false }
  | { readonly matched: true; readonly output: unknown; readonly variables?: Readonly<Record<string, SqlValue>> };

export interface CompiledRule {
  readonly sql: string;
  /** The rule's `awsIotSqlVersion`. */
  readonly version: SqlVersion;
  /** The FROM clause's MQTT topic filter; empty for a rule without FROM (Basic Ingest only). */
  readonly topicFilter: string;
  /** True when a message on `topic` reaches this rule (FROM filter match). */
  matchesTopic(topic: string): boolean;
  /**
   * Runs SET, WHERE, then SELECT. `output` is a JSON value, or the raw payload bytes (`Uint8Array`) for
   * `SELECT *` of a non-JSON payload, or undefined for a `SELECT VALUE` whose value is Undefined.
   * @throws IotSqlEvaluationError when the statement calls a function that needs another AWS service.
   */
  evaluate(message: IotMessage, options?: EvaluateOptions): RuleEvaluation;
}

export interface CompileRuleOptions {
  /** The rule's `awsIotSqlVersion` (https://docs.aws.amazon.com/iot/latest/developerguide/iot-rule-sql-version.html). @default '2016-03-23' */
  readonly awsIotSqlVersion?: SqlVersion;
  /**
   * The rule's name: a statement without FROM is reached only by Basic Ingest messages to
   * `$aws/rules/<ruleName>/...`, so without a name it matches no topic.
   */
  readonly ruleName?: string;
}

/**
 * Parses an AWS IoT SQL statement.
 * @throws IotSqlError with the position and reason of the first syntax error, unknown function, wrong
 * argument count, undefined variable or invalid FROM topic filter (`sqlParseMessage` words it as AWS does).
 */
export function compileRule(sql: string, options: CompileRuleOptions = {}): CompiledRule {
  const version = options.awsIotSqlVersion ?? defaultSqlVersion;
  if (!sqlVersions.includes(version)) throw new IotSqlError(`unsupported awsIotSqlVersion ${JSON.stringify(version)}`, 0, sql);
  const query = parseQuery(sql, version);
  validateQuery(query, sql, { version });
  if (query.from.type === 'expr') throw new IotSqlError('expected a topic filter in FROM', 0, sql);
  const topicFilter = query.from.type === 'topic' ? query.from.filter : '';
  const problem = query.from.type === 'topic' ? topicFilterProblem(topicFilter) : undefined;
  if (problem !== undefined)
    throw new IotSqlError(`Invalid topic filter ${JSON.stringify(topicFilter)}: ${problem}`, sql.indexOf(topicFilter), sql);
  const matchesTopic =
    query.from.type === 'topic'
      ? (topic: string) => topicMatches(topicFilter, topic)
      : (topic: string) => options.ruleName !== undefined && parseBasicIngestTopic(topic)?.ruleName === options.ruleName;
  return {
    sql,
    version,
    topicFilter,
    matchesTopic,
    evaluate(message, evaluateOptions) {
      if (!matchesTopic(message.topic)) return { matched: false };
      const parsed = parsePayload(message.payload);
      const ctx = createEvalContext(message, evaluateOptions, parsed, version);
      assignVariables(query, parsed.document, ctx);
      // [AWS WHERE clause] "The WHERE clause is evaluated first, to determine if SELECT is evaluated."
      if (!whereHolds(query, parsed.document, ctx)) return { matched: false };
      const output = project(query, parsed.document, ctx);
      if (query.set === undefined) return { matched: true, output };
      return { matched: true, output, variables: Object.fromEntries(ctx.variables) };
    },
  };
}
