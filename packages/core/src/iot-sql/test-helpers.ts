/** Shared by the iot-sql tests: builds messages and evaluates one-off statements. */
import { compileRule, type CompileRuleOptions } from './compile-rule.ts';
import type { IotMessage } from './message.ts';

export const jsonMessage = (payload: unknown, topic = 'topic/subtopic', extra: Partial<IotMessage> = {}): IotMessage => ({
  topic,
  payload: new TextEncoder().encode(JSON.stringify(payload)),
  clientId: 'client-1',
  timestamp: 1_700_000_000_000,
  ...extra,
});

/** The output of `sql` for `payload`; `'no match'` when the rule does not fire. */
export function run(
  sql: string,
  payload: unknown = {},
  topic = 'topic/subtopic',
  extra: Partial<IotMessage> = {},
  options: CompileRuleOptions = {},
): unknown {
  const result = compileRule(sql, options).evaluate(jsonMessage(payload, topic, extra), { newUuid: () => 'uuid-1', random: () => 0.5 });
  return result.matched ? result.output : 'no match';
}

/** Evaluates one expression the way a SELECT VALUE does. */
export const value = (expression: string, payload: unknown = {}): unknown =>
  run(`SELECT VALUE ${expression} FROM 'topic/subtopic'`, payload);

/** Evaluates one expression in a rule of SQL version `version`. */
export const valueIn = (version: NonNullable<CompileRuleOptions['awsIotSqlVersion']>, expression: string, payload: unknown = {}): unknown =>
  run(`SELECT VALUE ${expression} FROM 'topic/subtopic'`, payload, 'topic/subtopic', {}, { awsIotSqlVersion: version });
