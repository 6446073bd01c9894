/** The Data Service's metrics are EMF lines; the aggregator is shared with the API Service (`@fleet/core/process`). */
export { createMetrics, type Metrics, type MetricsOptions, type MetricUnit } from '@fleet/core/process';
