/**
 * `GET /data/data-usage`: the measured volumes next to the modelled monthly cost of the fleet as it
 * runs now: its devices, the ingest rate this task measured, and the retention settings in force
 * (`fleet-data-control`, `pk = settings`, `sk = retention`; the defaults until an admin sets them).
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defaultRetentionSettings, modelMonthlyCost, RetentionPolicySchema, type DataUsage, type RetentionPolicy } from '@fleet/core';
import { Value } from 'typebox/value';
import { measureVolumes, type VolumeSources } from './data-volumes.ts';
import type { IngestRate } from './ingest-rate.ts';

/**
 * Values per reading the model assumes: the simulator's devices send three (temperature, humidity,
 * battery). Each is a few bytes of a window item; the writes and requests do not depend on it.
 */
export const modelledMetricsPerReading = 3;

export interface DataUsageDeps extends VolumeSources {
  readonly dataControlTable: string;
  readonly rate: IngestRate;
  readonly now?: () => number;
}

export interface DataUsageReader {
  read(): Promise<DataUsage>;
}

/** The fleet policy in force: the stored settings' `fleet`, or the defaults when none (or none valid) are stored. */
export async function retentionInForce(dynamo: Pick<DynamoDBDocumentClient, 'send'>, table: string): Promise<RetentionPolicy> {
  const out = await dynamo.send(new GetCommand({ TableName: table, Key: { pk: 'settings', sk: 'retention' } }));
  const fleet: unknown = out.Item?.fleet;
  return Value.Check(RetentionPolicySchema, fleet) ? fleet : defaultRetentionSettings.fleet;
}

export function createDataUsageReader(deps: DataUsageDeps): DataUsageReader {
  const now = deps.now ?? Date.now;
  return {
    async read() {
      const [{ volumes, devices }, retention] = await Promise.all([
        measureVolumes(deps),
        retentionInForce(deps.dynamo, deps.dataControlTable),
      ]);
      const readingsPerSecond = deps.rate.perSecond();
      const model = modelMonthlyCost({
        devices,
        // The model takes a rate per device; with no device or no reading, nothing is ingested.
        intervalSeconds: devices > 0 && readingsPerSecond > 0 ? devices / readingsPerSecond : Number.POSITIVE_INFINITY,
        metrics: modelledMetricsPerReading,
        retention,
        // Monthly active users are Cognito's to count; the model's user lines start at none.
        users: 0,
        ingestPath: 'broker',
      });
      return {
        measuredAt: new Date(now()).toISOString(),
        volumes,
        model: {
          devices,
          readingsPerSecond,
          monthlyUsd: model.monthlyUsd,
          perMillionReadingsUsd: model.perMillionReadingsUsd,
          lines: model.lines,
          pricesAsOf: model.pricesAsOf,
        },
      };
    },
  };
}
