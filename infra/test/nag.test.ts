/**
 * cdk-nag (AwsSolutions pack, v3 plugin API) over the whole app: no unacknowledged error, with and
 * without a custom domain, and every acknowledgement names one finding and gives a real reason.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { synthesizeFleet, testDomain } from './synthesize.ts';

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

function acknowledgementsUnder(root: IConstruct): { path: string; ack: Acknowledgement }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // Recorded by Validations.acknowledge() as { [ruleId]: reason }.
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id, reason })))
      .map((ack) => ({ path: c.node.path, ack })),
  );
}

const violationsOf = (report: ReturnType<typeof synthesizeFleet>['validationReport']) =>
  report.pluginReports.flatMap((r) => (r.violations ?? []) as { ruleName?: string; severity?: string }[]);

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding with a custom domain', () => {
    const fleet = synthesizeFleet({ domain: testDomain }, { nag: true });
    expect(violationsOf(fleet.validationReport)).toEqual([]);
  });

  it('reports no unacknowledged finding without a custom domain (CloudFront default certificate acknowledged)', () => {
    const fleet = synthesizeFleet({}, { nag: true });
    expect(violationsOf(fleet.validationReport)).toEqual([]);
    const acks = acknowledgementsUnder(fleet.app).map((a) => a.ack.id);
    expect(acks.some((id) => id.endsWith('AwsSolutions-CFR4'))).toBe(true);
  });

  it('fails synthesis when a finding is not acknowledged', async () => {
    const { App } = await import('aws-cdk-lib');
    const s3 = await import('aws-cdk-lib/aws-s3');
    const { AwsSolutionsChecks } = await import('cdk-nag');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'fleet-nag-')), builtinCloudFormationValidation: false });
    const { Stack } = await import('aws-cdk-lib');
    new s3.Bucket(new Stack(app, 'probe'), 'Unlogged');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const log = console.error;
    console.error = () => undefined; // the report is printed; the thrown error is what counts here
    try {
      expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
    } finally {
      console.error = log;
    }
  });

  it('names one finding and a real reason in every acknowledgement', () => {
    const fleet = synthesizeFleet({ domain: testDomain }, { nag: false });
    // Acknowledgements are construct metadata, recorded whether or not the pack runs.
    // aws-cdk-lib records some acknowledgements of its own (e.g. CloudFormation-Validate::W3010); ours are cdk-nag's.
    const acks = acknowledgementsUnder(fleet.app).filter((a) => a.ack.id.includes('AwsSolutions'));
    expect(acks.length).toBeGreaterThan(10);
    for (const { path, ack } of acks) {
      expect(ack.id, path).toMatch(/^AwsSolutions::AwsSolutions-[A-Z]+\d+(\[[^\]]+\])?$/);
      expect(ack.reason.length, `${path} ${ack.id}`).toBeGreaterThan(40);
      // A wildcard acknowledgement names the one resource or action it excuses.
      if (ack.id.startsWith('AwsSolutions-IAM5')) expect(ack.id, path).toMatch(/\[(Resource|Action)::.+\]$/);
    }
  });
});
