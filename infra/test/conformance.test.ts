/**
 * The diagram is the contract: every node and edge of the seed D2 (parsed by the real D2
 * compiler) must have a counterpart in the synthesized templates.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SeedDiagram } from '../lib/diagram-conformance.ts';
import { checkConformance } from '../lib/diagram-conformance.ts';
import { readSeedDiagram } from '../lib/d2.ts';
import { buildTemplateGraph } from '../lib/template-graph.ts';
import { repositoryRoot, synthesizeFleet, testDomain } from './synthesize.ts';

/**
 * The user's seed lives beside the repository (`../shared/seed`) and wins when present; the
 * repository carries a copy (`docs/seed`) so that a clone without it is still checked.
 */
const sharedSeed = join(repositoryRoot, '../shared/seed/architecture.md');
const repositoryCopy = join(repositoryRoot, 'docs/seed/architecture.md');
const seedCandidates = [sharedSeed, repositoryCopy];
const seedPath = seedCandidates.find((p) => existsSync(p));

describe('seed diagram conformance', () => {
  let seed: SeedDiagram;
  const fleet = synthesizeFleet({ domain: testDomain });
  const ctx = { graph: buildTemplateGraph(fleet.templates), dockerImages: fleet.dockerImages };

  beforeAll(async () => {
    if (!seedPath) throw new Error(`seed diagram not found; looked at ${seedCandidates.join(', ')}`);
    seed = await readSeedDiagram(seedPath);
  });

  it.skipIf(!existsSync(sharedSeed))("keeps the repository's copy of the seed identical to the user's", () => {
    expect(readFileSync(repositoryCopy, 'utf8')).toBe(readFileSync(sharedSeed, 'utf8'));
  });

  it('parses the seed with the D2 compiler', () => {
    expect(seed.nodes).toContain('Infra.NetworkLayer.VPC.LoadBalancers.LB2.TargetGroup2');
    expect(seed.edges).toContainEqual({ src: 'Infra.CDN.CloudFront', dst: 'Infra.API.APIGateway' });
    expect(seed.nodes.length).toBeGreaterThanOrEqual(49);
    expect(seed.edges.length).toBeGreaterThanOrEqual(23);
  });

  it('has a resource for every seed node', () => {
    const report = checkConformance(seed, ctx);
    expect(report.missingNodes).toEqual([]);
  });

  it('has a reference for every seed edge', () => {
    const report = checkConformance(seed, ctx);
    expect(report.missingEdges).toEqual([]);
    expect(report.edges.size).toBe(seed.edges.length);
  });

  it('rejects edges the app does not implement (the checker discriminates)', () => {
    const wrong: SeedDiagram = {
      nodes: seed.nodes,
      edges: [
        { src: 'Infra.NetworkLayer.VPC.LoadBalancers.LB1.TargetGroup1', dst: 'Infra.NetworkLayer.VPC.Subnets.Subnet2' },
        { src: 'Infra.NetworkLayer.VPC.Subnets.Subnet3', dst: 'Infra.Application.ECS.SRV1.Task1' },
        { src: 'Infra.NetworkLayer.VPC.LoadBalancers.LB2.Listener2', dst: 'Infra.NetworkLayer.VPC.LoadBalancers.LB3.TargetGroup3' },
        { src: 'Infra.CDN.CloudFront', dst: 'Infra.DATA.Storage.DynamoDB' },
      ],
    };
    expect(checkConformance(wrong, ctx).missingEdges).toHaveLength(4);
  });

  it('reports a seed node that has no counterpart', () => {
    const report = checkConformance({ nodes: [...seed.nodes, 'Infra.Unknown'], edges: [] }, ctx);
    expect(report.missingNodes).toEqual(['Infra.Unknown']);
  });

  it('without a custom domain, only the Route 53 node and its edges are missing', () => {
    const bare = synthesizeFleet({});
    const report = checkConformance(seed, { graph: buildTemplateGraph(bare.templates), dockerImages: bare.dockerImages });
    expect(report.missingNodes).toEqual(['Infra.Traffic', 'Infra.Traffic.Route53']);
    expect(report.missingEdges).toEqual(['Infra.INET -> Infra.Traffic.Route53', 'Infra.Traffic.Route53 -> Infra.CDN.CloudFront']);
  });
});
