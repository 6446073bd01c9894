export {
  createRulesEngine,
  type RuleSource,
  type SourcedRule,
  type RulesEngine,
  type RulesEngineDeps,
  type RulesEngineStats,
  type RuleStats,
} from './rules-engine.ts';
export { snsPublisher, type SnsPublish, type SnsPublishInput } from './sns-action.ts';
export type { HttpDestinations } from './http-action.ts';
export type { ActionFailure, ErrorActionMessage } from './action-failure.ts';
