/**
 * The metric display settings in the API Service's own table (`fleet-metric-settings`, one item
 * per metric). The whole table is read at once: it holds one small item per metric name the fleet
 * uses, bounded by `metricSettingLimits.maxSettings`.
 */
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { metricSettingLimits, type MetricSetting, type MetricSettingInput } from '@fleet/core';
import type { ApiClients } from '../aws-clients.ts';

export interface MetricSettingsStore {
  /** Every setting, by metric name. */
  list(): Promise<MetricSetting[]>;
  /** Replaces a metric's setting with `input` (fields left out are back to their defaults). */
  put(metric: string, input: MetricSettingInput, by: string): Promise<MetricSetting>;
  /** False when the metric had no setting. */
  remove(metric: string): Promise<boolean>;
}

export function createMetricSettingsStore(deps: {
  readonly dynamo: ApiClients['dynamo'];
  readonly tableName: string;
  readonly now?: () => Date;
}): MetricSettingsStore {
  const now = deps.now ?? (() => new Date());
  return {
    async list() {
      const items: MetricSetting[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await deps.dynamo.send(new ScanCommand({ TableName: deps.tableName, ExclusiveStartKey: start }));
        items.push(...((page.Items ?? []) as MetricSetting[]));
        start = page.LastEvaluatedKey;
      } while (start && items.length < metricSettingLimits.maxSettings);
      return items.slice(0, metricSettingLimits.maxSettings).sort((a, b) => a.metric.localeCompare(b.metric));
    },
    async put(metric, input, by) {
      const item: MetricSetting = { metric, ...input, updatedAt: now().toISOString(), updatedBy: by };
      await deps.dynamo.send(new PutCommand({ TableName: deps.tableName, Item: item }));
      return item;
    },
    async remove(metric) {
      const out = await deps.dynamo.send(new DeleteCommand({ TableName: deps.tableName, Key: { metric }, ReturnValues: 'ALL_OLD' }));
      return out.Attributes !== undefined;
    },
  };
}
