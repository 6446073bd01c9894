/**
 * Reads CloudWatch Embedded Metric Format documents
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 *
 * A line is an EMF document when it is a JSON object whose `_aws` member holds a
 * `CloudWatchMetrics` array. What the spec says, and what is done here when it is broken
 * (CloudWatch drops what fails validation; it never rejects the log event itself):
 * - `_aws.Timestamp` MUST be a number (epoch ms) → otherwise no metric is extracted;
 * - a MetricDirective has a `Namespace` (1–255 characters), a `Dimensions` array of DimensionSets
 *   and a `Metrics` array of at most 100 MetricDefinitions → a bad directive is skipped;
 * - a DimensionSet holds at most 30 keys, each naming a root member whose value is a string →
 *   a bad set is skipped (an empty set publishes the metric without dimensions; so does an empty
 *   `Dimensions` array here, as the AWS EMF libraries emit `[[]]` for it);
 * - a MetricDefinition's `Name` names a root member holding a number or an array of at most 100
 *   numbers; `Unit` is a CloudWatch unit; `StorageResolution` is 1 or 60 → a bad one is skipped.
 */
import type { Aggregate, Dimension, MetricId } from './metric-store.ts';
import { standardUnits } from './metric-units.ts';

export interface EmfMetric {
  readonly metric: MetricId;
  readonly unit: string;
  readonly aggregate: Aggregate;
}

export interface EmfDocument {
  /** Epoch ms of `_aws.Timestamp`, or undefined when missing or invalid. */
  readonly timestamp: number | undefined;
  readonly metrics: readonly EmfMetric[];
  /** What was skipped and why, for a warning log. */
  readonly problems: readonly string[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a line; undefined when it is not an EMF document at all. */
export function parseEmfLine(line: string): EmfDocument | undefined {
  const text = line.trim();
  if (!text.startsWith('{') || !text.includes('"_aws"')) return undefined;
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(root) || !isObject(root._aws) || !Array.isArray(root._aws.CloudWatchMetrics)) return undefined;
  const meta = root._aws;
  const problems: string[] = [];
  const timestamp = typeof meta.Timestamp === 'number' && Number.isFinite(meta.Timestamp) ? meta.Timestamp : undefined;
  if (timestamp === undefined)
    return { timestamp, metrics: [], problems: ['_aws.Timestamp must be a number of milliseconds since the epoch'] };
  const metrics: EmfMetric[] = [];
  (meta.CloudWatchMetrics as unknown[]).forEach((directive, d) => {
    const where = `CloudWatchMetrics[${d}]`;
    if (!isObject(directive)) return problems.push(`${where} is not an object`);
    const namespace = directive.Namespace;
    if (typeof namespace !== 'string' || namespace.length < 1 || namespace.length > 255) {
      return problems.push(`${where}.Namespace must be a string of 1 to 255 characters`);
    }
    if (!Array.isArray(directive.Dimensions)) return problems.push(`${where}.Dimensions must be an array of DimensionSets`);
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length > 100) {
      return problems.push(`${where}.Metrics must be an array of at most 100 MetricDefinitions`);
    }
    const dimensionSets = readDimensionSets(root, directive.Dimensions, where, problems);
    for (const [m, definition] of (directive.Metrics as unknown[]).entries()) {
      const read = readMetric(root, definition, `${where}.Metrics[${m}]`, problems);
      if (!read) continue;
      for (const dimensions of dimensionSets) {
        metrics.push({ metric: { namespace, metricName: read.name, dimensions }, unit: read.unit, aggregate: read.aggregate });
      }
    }
    return undefined;
  });
  return { timestamp, metrics, problems };
}

function readDimensionSets(root: Json, sets: unknown[], where: string, problems: string[]): Dimension[][] {
  if (sets.length === 0) return [[]];
  const result: Dimension[][] = [];
  sets.forEach((set, s) => {
    if (!Array.isArray(set) || set.length > 30) return problems.push(`${where}.Dimensions[${s}] must be an array of at most 30 keys`);
    const dims: Dimension[] = [];
    for (const key of set) {
      const value = typeof key === 'string' ? root[key] : undefined;
      if (typeof key !== 'string' || typeof value !== 'string') {
        return problems.push(`${where}.Dimensions[${s}]: dimension ${JSON.stringify(key)} must name a root member holding a string`);
      }
      dims.push({ Name: key, Value: value });
    }
    result.push(dims);
    return undefined;
  });
  return result;
}

function readMetric(
  root: Json,
  definition: unknown,
  where: string,
  problems: string[],
): { name: string; unit: string; aggregate: Aggregate } | undefined {
  if (!isObject(definition) || typeof definition.Name !== 'string' || definition.Name === '') {
    problems.push(`${where}.Name must be a non-empty string`);
    return undefined;
  }
  const unit = definition.Unit ?? 'None';
  if (typeof unit !== 'string' || !standardUnits.has(unit)) {
    problems.push(`${where}.Unit ${JSON.stringify(unit)} is not a CloudWatch unit`);
    return undefined;
  }
  if (definition.StorageResolution !== undefined && definition.StorageResolution !== 1 && definition.StorageResolution !== 60) {
    problems.push(`${where}.StorageResolution must be 1 or 60`);
    return undefined;
  }
  const target = root[definition.Name];
  const values = Array.isArray(target) ? target : [target];
  if (values.length === 0 || values.length > 100 || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    problems.push(`${where}: member ${definition.Name} must hold a number or an array of 1 to 100 numbers`);
    return undefined;
  }
  const numbers = values as number[];
  return {
    name: definition.Name,
    unit,
    aggregate: { count: numbers.length, sum: numbers.reduce((a, b) => a + b, 0), min: Math.min(...numbers), max: Math.max(...numbers) },
  };
}
