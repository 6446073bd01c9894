export * from './rollups.ts';
export * from './retention.ts';
export * from './data-jobs.ts';
export * from './usage.ts';
export * from './cost/index.ts';
