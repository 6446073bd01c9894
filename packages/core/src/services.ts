/**
 * The three ECS services of the diagram. Each becomes a Fargate service behind its own load
 * balancer in AWS and a child process behind the local gateway; both get their environment from
 * `serviceEnvironment` so that a service cannot tell where it runs.
 */
export type ServiceName = 'frontend' | 'api' | 'data';

export interface ServiceDefinition {
  readonly name: ServiceName;
  /** Diagram labels: ECS Service N / Load Balancer N / Subnet N. */
  readonly index: 1 | 2 | 3;
  readonly title: string;
  /** Workspace folder holding the service (its Dockerfile sits there). */
  readonly folder: string;
  /** Container port; also the local port unless overridden. */
  readonly port: number;
  /**
   * Readiness: 200 when the service and every dependency it probes can serve, 503 with a
   * `HealthReport` naming the failed dependency otherwise (see `health.ts`).
   */
  readonly healthPath: string;
  /**
   * Liveness: 200 while the process answers. The ECS container health check and the ALB target
   * group use it, so that a dependency outage does not make ECS replace tasks in a loop.
   */
  readonly livenessPath: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  /**
   * Scaling on the ingest queue's backlog (the Data Service): on AWS, ECS adds a task while more
   * than `scaleOutAt` messages wait and removes one below `scaleInBelow`, within `minTasks`–`maxTasks`;
   * locally `npm start -- --data-tasks <n>` (1 to `maxTasks`) sets the count by hand.
   */
  readonly queueScaling?: {
    readonly minTasks: number;
    readonly maxTasks: number;
    readonly scaleOutAt: number;
    readonly scaleInBelow: number;
  };
}

export const services: readonly ServiceDefinition[] = [
  {
    name: 'frontend',
    index: 1,
    title: 'Frontend',
    folder: 'services/frontend',
    port: 3001,
    // Serves files and its runtime configuration only: no dependency to probe.
    healthPath: '/health',
    livenessPath: '/health',
    cpu: 256,
    memoryMiB: 512,
  },
  {
    name: 'api',
    index: 2,
    title: 'API Service',
    folder: 'services/api',
    port: 3002,
    healthPath: '/api/health',
    livenessPath: '/api/health/live',
    cpu: 256,
    memoryMiB: 512,
  },
  {
    name: 'data',
    index: 3,
    title: 'Data Service',
    folder: 'services/data',
    port: 3003,
    healthPath: '/data/health',
    livenessPath: '/data/health/live',
    cpu: 512,
    memoryMiB: 1024,
    // One task keeps up with several hundred readings a second (bench/README.md): a backlog of 1,000
    // messages is seconds behind, worth another task; below 100 the tasks left keep up.
    queueScaling: { minTasks: 1, maxTasks: 4, scaleOutAt: 1000, scaleInBelow: 100 },
  },
];

export function serviceByName(name: ServiceName): ServiceDefinition {
  const found = services.find((s) => s.name === name);
  if (!found) throw new Error(`unknown service "${name}", expected one of ${services.map((s) => s.name).join(', ')}`);
  return found;
}
