/**
 * AWS IoT SQL (version 2016-03-23) parser and evaluator, and rule-action substitution templates.
 * Pure: no I/O, no Node-only APIs.
 */
export { compileRule, type CompiledRule, type RuleEvaluation } from './compile-rule.ts';
export { compileTemplate, substituteTemplate, type CompiledTemplate } from './substitute-template.ts';
export { IotSqlError } from './iot-sql-error.ts';
export type { EvaluateOptions, IotMessage } from './message.ts';
export { topicMatches, topicFilterProblem, effectiveTopic } from './topic-filter.ts';
export { outputToBytes, outputToText } from './output.ts';
export { base64Encode, base64Decode } from './base64.ts';
export { formatJoda } from './joda-format.ts';
export type { SqlValue } from './values.ts';
