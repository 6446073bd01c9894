/** Public surface of the Data Service package (for the local launcher, e2e tests and benches). */
export { buildApp } from './app.ts';
export type { AppOptions } from './app.ts';
export { createDataService } from './service.ts';
export type { DataService, DataServiceOptions } from './service.ts';
export { createSqsIngestQueue } from './ingest-queue.ts';
export type { IngestQueue, QueueMessage } from './ingest-queue.ts';
export { createSqsQueueSender } from './replay.ts';
export { createMetrics } from './emf.ts';
export { locate, windowMs } from './time-bucket.ts';
// The benchmark of the DynamoDB stand-in writes through the service's own stores.
export { createLatestStore } from './latest-store.ts';
export { createTelemetryStore } from './telemetry-store.ts';
export { createRollupWriter } from './rollups/rollup-writer.ts';
export { createFoldScheduler } from './rollups/fold-scheduler.ts';
