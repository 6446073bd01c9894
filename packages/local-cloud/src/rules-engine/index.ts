export { createRulesEngine, type RulesEngine, type RulesEngineDeps, type RulesEngineStats, type RuleStats } from './rules-engine.ts';
export type { ActionFailure, ErrorActionMessage } from './action-failure.ts';
