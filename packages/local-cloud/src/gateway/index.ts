export * from './gateway.ts';
export * from './jwt-authorizer.ts';
export * from './health-checks.ts';
export * from './task-balancer.ts';
