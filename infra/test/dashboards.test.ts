/**
 * Template tests of users' dashboards on AWS: the `fleet-dashboards` table with its two indexes, the
 * API task's rights on it (and no other task's), and the table's name in the API task's environment.
 */
import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { dashboardsTable } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { synthesizeFleet } from './synthesize.ts';

const { platform, stateful } = synthesizeFleet();

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }>;
const resourcesOf = (t: Template) => t.toJSON().Resources as Resources;
const idAt = (t: Template, suffix: string): string => {
  const found = Object.entries(resourcesOf(t)).filter(([, r]) => String(r.Metadata?.['aws:cdk:path'] ?? '').endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one resource at …${suffix}, found ${found.length}`);
  return found[0]![0];
};
const policiesOfTask = (n: number) =>
  Object.values(resourcesOf(platform)).filter(
    (r) =>
      r.Type === 'AWS::IAM::Policy' &&
      (r.Properties?.Roles ?? []).some((x: any) => x.Ref === idAt(platform, `Application/Task${n}/TaskRole/Resource`)),
  );
const tableLogicalId = () => idAt(stateful, `Storage/FleetDashboards/Resource`);

describe('dashboards on AWS', () => {
  it('creates the dashboards table keyed by id with the byOwner and sparse byShared indexes', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'byOwner',
          KeySchema: [
            { AttributeName: 'owner', KeyType: 'HASH' },
            { AttributeName: 'updatedAt', KeyType: 'RANGE' },
          ],
        }),
        Match.objectLike({
          IndexName: 'byShared',
          KeySchema: [
            { AttributeName: 'sharedKey', KeyType: 'HASH' },
            { AttributeName: 'updatedAt', KeyType: 'RANGE' },
          ],
        }),
      ]),
    });
    expect(dashboardsTable.id).toBe('fleet-dashboards');
  });

  it('lets the API task get, put, delete and query dashboards (and probe the table); no other task touches it', () => {
    const statements = policiesOfTask(2)
      .flatMap((p) => p.Properties!.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s.Resource).includes(tableLogicalId()));
    expect(statements.flatMap((s: any) => [s.Action].flat()).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    // Query on the indexes: the grant names the table's index ARNs too.
    expect(JSON.stringify(statements)).toContain('/index/byOwner');
    expect(JSON.stringify(statements)).toContain('/index/byShared');
    for (const n of [1, 3]) expect(JSON.stringify(policiesOfTask(n))).not.toContain(tableLogicalId());
  });

  it("tells the API task the table's name in DASHBOARDS_TABLE", () => {
    platform.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({ Environment: Match.arrayWith([Match.objectLike({ Name: 'DASHBOARDS_TABLE' })]) }),
      ]),
    });
  });
});
