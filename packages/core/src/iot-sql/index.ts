/**
 * AWS IoT SQL (versions 2016-03-23, 2015-10-08 and beta) parser and evaluator, and rule-action
 * substitution templates. Pure: no I/O, no Node-only APIs. The functions it implements are listed in README.md.
 */
export { compileRule, type CompiledRule, type CompileRuleOptions, type RuleEvaluation } from './compile-rule.ts';
export { compileTemplate, compileTemplateFor, substituteTemplate, type CompiledTemplate } from './substitute-template.ts';
export { IotSqlError, IotSqlEvaluationError, sqlParseMessage } from './iot-sql-error.ts';
export type { EvaluateOptions, IotMessage, Mqtt5Properties } from './message.ts';
export { topicMatches, topicFilterProblem, effectiveTopic } from './topic-filter.ts';
export { parseBasicIngestTopic } from './basic-ingest.ts';
export { outputToBytes, outputToText } from './output.ts';
export { base64Encode, base64Decode } from './base64.ts';
export { formatJoda } from './joda-format.ts';
export { sqlVersions, defaultSqlVersion, type SqlVersion } from './sql-version.ts';
export type { SqlValue } from './values.ts';
