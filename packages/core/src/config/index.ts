/**
 * One configuration reader (`loadConfig`) and one schema per service (`service-configs.ts`). The
 * row builders stay inside this folder: a new variable is a row of a schema here.
 */
export type { Variable, ValueType, WrittenVariable, DefaultedVariable, OptionalVariable } from './config-variables.ts';
export * from './load-config.ts';
export { cognitoEndpoint } from './common-variables.ts';
export * from './service-configs.ts';
