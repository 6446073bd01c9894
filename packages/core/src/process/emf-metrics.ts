/**
 * Service metrics as CloudWatch Embedded Metric Format lines on stdout
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * the log agent (awslogs on ECS, the local cloud's log reader here) turns each line into metric
 * data with no PutMetricData call. Values are aggregated in memory and flushed every interval, so
 * the cost does not grow with traffic. The only dimension is the service: never a device id (each
 * dimension value is a billed metric).
 */
import { serviceMetricDimensions } from '../resources.ts';

export type MetricUnit = 'Count' | 'Milliseconds' | 'None';

/** The EMF spec allows at most 100 values per metric in one document. */
const maxValuesPerMetric = 100;

export interface Metrics {
  /** Adds to a counter (a Sum per interval). */
  count(name: string, n?: number): void;
  /** Records a sample of a distribution (sent as an array of at most 100 values, reservoir-sampled). */
  observe(name: string, value: number, unit?: MetricUnit): void;
  /** Writes the current interval as one EMF line (counters that were ever touched are written, 0 included) and resets it. */
  flush(): void;
  /** Stops the timer and flushes what is pending. */
  stop(): void;
}

export interface MetricsOptions {
  readonly namespace: string;
  /** Value of the `Service` dimension. */
  readonly service: string;
  /** @default 10000; 0 disables the timer (flush by hand). */
  readonly flushIntervalMs?: number;
  /** @default a line on stdout */
  readonly write?: (line: string) => void;
  readonly now?: () => number;
  /** Source of randomness for reservoir sampling. @default Math.random */
  readonly random?: () => number;
}

interface Distribution {
  unit: MetricUnit;
  seen: number;
  values: number[];
}

/** Creates an EMF metrics aggregator; its timer does not keep the process alive. */
export function createMetrics(options: MetricsOptions): Metrics {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const dimensions = serviceMetricDimensions(options.service);
  const counters = new Map<string, number>();
  let distributions = new Map<string, Distribution>();

  const flush = () => {
    if (counters.size === 0 && distributions.size === 0) return;
    const definitions: { Name: string; Unit: MetricUnit }[] = [];
    const document: Record<string, unknown> = { ...dimensions };
    for (const [name, value] of counters) {
      definitions.push({ Name: name, Unit: 'Count' });
      document[name] = value;
      counters.set(name, 0);
    }
    for (const [name, d] of distributions) {
      definitions.push({ Name: name, Unit: d.unit });
      document[name] = d.values;
    }
    distributions = new Map();
    write(
      JSON.stringify({
        _aws: {
          Timestamp: now(),
          CloudWatchMetrics: [{ Namespace: options.namespace, Dimensions: [Object.keys(dimensions)], Metrics: definitions }],
        },
        ...document,
      }),
    );
  };

  const interval = options.flushIntervalMs ?? 10_000;
  const timer = interval > 0 ? setInterval(flush, interval) : undefined;
  timer?.unref();

  return {
    count(name, n = 1) {
      counters.set(name, (counters.get(name) ?? 0) + n);
    },
    observe(name, value, unit = 'None') {
      let d = distributions.get(name);
      if (!d) distributions.set(name, (d = { unit, seen: 0, values: [] }));
      d.seen++;
      // Reservoir sampling (Algorithm R): every sample of the interval has the same chance to be kept.
      if (d.values.length < maxValuesPerMetric) d.values.push(value);
      else {
        const slot = Math.floor(random() * d.seen);
        if (slot < maxValuesPerMetric) d.values[slot] = value;
      }
    },
    flush,
    stop() {
      if (timer) clearInterval(timer);
      flush();
    },
  };
}
