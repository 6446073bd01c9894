/**
 * Test helper: synthesizes the whole Fleet app once (per test file) the way `cdk synth` does —
 * same context as cdk.json, which `new App()` alone would not read — into a temp folder.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { FleetConfig } from '../lib/config.ts';
import type { FleetStacks } from '../lib/fleet-app.ts';
import { createFleet } from '../lib/fleet-app.ts';
import type { CfnTemplate, DockerImageSources } from '../lib/template-graph.ts';

export const infraRoot = fileURLToPath(new URL('../', import.meta.url));
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A custom domain for tests; the certificate ARN only has to look like a us-east-1 one. */
export const testDomain = {
  domainName: 'fleet.example.com',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-1111-2222-3333-444455556666',
} as const;

export interface SynthesizedFleet {
  readonly app: App;
  readonly stacks: FleetStacks;
  readonly assembly: CloudAssembly;
  readonly stateful: Template;
  readonly platform: Template;
  /** Raw templates by stack name. */
  readonly templates: Readonly<Record<string, CfnTemplate>>;
  /** Docker image assets by hash: the Dockerfile each was built from. */
  readonly dockerImages: DockerImageSources;
  /** Contents of validation-report.json (policy validation plugins, i.e. cdk-nag). */
  readonly validationReport: {
    readonly pluginReports: readonly { readonly summary?: unknown; readonly violations?: readonly unknown[] }[];
  };
}

export function synthesizeFleet(config: Partial<FleetConfig> = {}, options: { nag?: boolean } = {}): SynthesizedFleet {
  const cdkJson = JSON.parse(readFileSync(join(infraRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const app = new App({
    // The CLI turns on path metadata (aws:cdk:path); the graph and the diagram group resources by it.
    context: { ...cdkJson.context, 'aws:cdk:enable-path-metadata': true },
    builtinCloudFormationValidation: false,
    outdir: mkdtempSync(join(tmpdir(), 'fleet-cdk-')),
  });
  const stacks = createFleet(app, {
    config: { stackPrefix: 'fleet', ...config },
    repositoryRoot,
    nag: options.nag ?? false,
  });
  const assembly = app.synth();
  const templates: Record<string, CfnTemplate> = {};
  const dockerImages: Record<string, DockerImageSources[string]> = {};
  for (const stack of [stacks.stateful, stacks.platform]) {
    templates[stack.stackName] = assembly.getStackByName(stack.stackName).template as CfnTemplate;
    const assetsFile = join(assembly.directory, `${stack.artifactId}.assets.json`);
    const assets = JSON.parse(readFileSync(assetsFile, 'utf8')) as {
      dockerImages?: Record<string, { source: DockerImageSources[string] }>;
    };
    for (const [hash, image] of Object.entries(assets.dockerImages ?? {})) dockerImages[hash] = image.source;
  }
  return {
    app,
    stacks,
    assembly,
    stateful: Template.fromJSON(templates[stacks.stateful.stackName]!),
    platform: Template.fromJSON(templates[stacks.platform.stackName]!),
    templates,
    dockerImages,
    validationReport: existsSync(join(assembly.directory, 'validation-report.json'))
      ? JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'))
      : { pluginReports: [] },
  };
}
