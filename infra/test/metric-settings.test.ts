/**
 * Template test of the metric display settings on AWS: the API Service's own table
 * (`fleet-metric-settings`, keyed by metric name) and its grant, in the API task role only.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { metricSettingsTable } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { synthesizeFleet } from './synthesize.ts';

const { platform, stateful } = synthesizeFleet();

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }>;
const resourcesOf = (t: Template) => t.toJSON().Resources as Resources;
const pathOf = (r: Resources[string]) => String(r.Metadata?.['aws:cdk:path'] ?? '');
const tableId = Object.entries(resourcesOf(stateful)).find(([, r]) => pathOf(r).endsWith('/Storage/FleetMetricSettings/Resource'))?.[0];
const taskRoleStatements = (n: number): any[] => {
  const role = Object.entries(resourcesOf(platform)).find(([, r]) => pathOf(r).endsWith(`Application/Task${n}/TaskRole/Resource`))?.[0];
  return Object.values(resourcesOf(platform))
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties?.Roles ?? []).some((x: any) => x.Ref === role))
    .flatMap((p) => p.Properties!.PolicyDocument.Statement);
};

describe('metric display settings on AWS', () => {
  it('creates the table from the shared definition: keyed by metric name, on demand, with point-in-time recovery', () => {
    expect(metricSettingsTable.id).toBe('fleet-metric-settings');
    expect(tableId).toBeDefined();
    const table = resourcesOf(stateful)[tableId!]!;
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'metric', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'metric', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('lets the API task scan, put and delete settings in it, and no other task touch it', () => {
    const onTable = taskRoleStatements(2).filter((s) => JSON.stringify(s.Resource).includes(tableId!));
    expect(onTable.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:DescribeTable',
      'dynamodb:PutItem',
      'dynamodb:Scan',
    ]);
    for (const n of [1, 3]) expect(JSON.stringify(taskRoleStatements(n))).not.toContain(tableId!);
  });

  it('tells the API task the table name, and only the API task', () => {
    const containers = Object.values(resourcesOf(platform)).filter((r) => r.Type === 'AWS::ECS::TaskDefinition');
    const withVariable = containers.filter((r) => JSON.stringify(r.Properties).includes('"METRIC_SETTINGS_TABLE"'));
    expect(withVariable.map((r) => pathOf(r))).toEqual([expect.stringMatching(/Task2\/Resource$/)]);
    expect(JSON.stringify(withVariable[0]!.Properties)).toContain(tableId!);
  });
});
