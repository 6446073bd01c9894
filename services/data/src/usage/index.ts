export { createIngestRate, countingStoredReadings, type IngestRate } from './ingest-rate.ts';
export { createDataUsageReader, type DataUsageReader } from './data-usage.ts';
export { measureVolumes } from './data-volumes.ts';
export { registerDataUsageRoute } from './usage-route.ts';
