/**
 * Compiles an AWS IoT rule's SQL statement once; evaluates it per message.
 */
import { createEvalContext, parsePayload } from './context.ts';
import { project, whereHolds } from './evaluate.ts';
import { IotSqlError } from './iot-sql-error.ts';
import type { EvaluateOptions, IotMessage } from './message.ts';
import { parseQuery } from './parser.ts';
import { topicFilterProblem, topicMatches } from './topic-filter.ts';
import { validateQuery } from './validate.ts';

/** Result of a rule for one message: no match (topic or WHERE), or the SELECT output. */
export type RuleEvaluation = { readonly matched: false } | { readonly matched: true; readonly output: unknown };

export interface CompiledRule {
  readonly sql: string;
  /** The FROM clause's MQTT topic filter. */
  readonly topicFilter: string;
  /** True when a message on `topic` reaches this rule (FROM filter match). */
  matchesTopic(topic: string): boolean;
  /**
   * Runs WHERE then SELECT. `output` is a JSON value, or the raw payload bytes (`Uint8Array`) for
   * `SELECT *` of a non-JSON payload, or undefined for a `SELECT VALUE` whose value is Undefined.
   */
  evaluate(message: IotMessage, options?: EvaluateOptions): RuleEvaluation;
}

/**
 * Parses an AWS IoT SQL 2016-03-23 statement.
 * @throws IotSqlError with the position of the first syntax error, or of a call to an unsupported function.
 */
export function compileRule(sql: string): CompiledRule {
  const query = parseQuery(sql);
  validateQuery(query, sql);
  if (query.from.type !== 'topic') throw new IotSqlError('expected a topic filter in FROM', 0, sql);
  const topicFilter = query.from.filter;
  const problem = topicFilterProblem(topicFilter);
  if (problem !== undefined)
    throw new IotSqlError(`invalid topic filter ${JSON.stringify(topicFilter)}: ${problem}`, sql.indexOf(topicFilter), sql);
  return {
    sql,
    topicFilter,
    matchesTopic: (topic) => topicMatches(topicFilter, topic),
    evaluate(message, options) {
      if (!topicMatches(topicFilter, message.topic)) return { matched: false };
      const parsed = parsePayload(message.payload);
      const ctx = createEvalContext(message, options, parsed);
      // [AWS WHERE clause] "The WHERE clause is evaluated first, to determine if SELECT is evaluated."
      if (!whereHolds(query, parsed.document, ctx)) return { matched: false };
      return { matched: true, output: project(query, parsed.document, ctx) };
    },
  };
}
