/**
 * Template test of the overview's metrics on AWS: the API task role reads CloudWatch metrics
 * (GetMetricData, which supports no resource type) and may do nothing else with CloudWatch; the
 * frontend and the Data Service read none (the Data Service writes its metrics as EMF log lines).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesizeFleet } from './synthesize.ts';

const { platform } = synthesizeFleet();

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }>;
const resourcesOf = (t: Template) => t.toJSON().Resources as Resources;
const idAt = (suffix: string): string => {
  const found = Object.entries(resourcesOf(platform)).filter(([, r]) => String(r.Metadata?.['aws:cdk:path'] ?? '').endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one resource at …${suffix}, found ${found.length}`);
  return found[0]![0];
};
const statementsOfTask = (n: number): any[] =>
  Object.values(resourcesOf(platform))
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties?.Roles ?? []).some((x: any) => x.Ref === idAt(`Application/Task${n}/TaskRole/Resource`)),
    )
    .flatMap((p) => p.Properties!.PolicyDocument.Statement);
const cloudwatchActions = (n: number) =>
  statementsOfTask(n)
    .flatMap((s) => [s.Action].flat() as string[])
    .filter((a) => a.startsWith('cloudwatch:'));

describe('overview metrics on AWS', () => {
  it('lets the API task role call cloudwatch:GetMetricData on any resource, and no other CloudWatch action', () => {
    expect(cloudwatchActions(2)).toEqual(['cloudwatch:GetMetricData']);
    const statement = statementsOfTask(2).find((s) => [s.Action].flat().includes('cloudwatch:GetMetricData'));
    expect(statement).toMatchObject({ Effect: 'Allow', Resource: '*' });
  });

  it('gives the frontend and the Data Service no CloudWatch read', () => {
    expect(cloudwatchActions(1)).toEqual([]);
    expect(cloudwatchActions(3)).toEqual([]);
  });
});
