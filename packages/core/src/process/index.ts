/** `@fleet/core/process`: what process entry points (`main.ts`) do the same way: graceful shutdown, a free port. */
export { exitGracefullyOnSignal, type GracefulShutdownOptions, type ShutdownLog, type ShutdownProcess } from './graceful-shutdown.ts';
export { freePort } from './free-port.ts';
export { createMetrics, type Metrics, type MetricsOptions, type MetricUnit } from './emf-metrics.ts';
