/**
 * The contract between the seed diagram (`shared/seed/architecture.md`) and the synthesized app:
 * for each D2 node, which resources are its counterpart; for each edge, which reference proves it.
 * An edge is proven by a direct reference between the two sides (either direction) or by a
 * resource referencing both (an ECS service references its target group, subnet and security
 * group); a few edges need a specific check, named in `edgeChecks`.
 */
import type { DockerImageSources, GraphResource, TemplateGraph } from './template-graph.ts';
import { commonReferrers, refersTo } from './template-graph.ts';

export interface SeedDiagram {
  /** Full D2 ids, e.g. `Infra.NetworkLayer.VPC.Subnets.Subnet1`. */
  readonly nodes: readonly string[];
  readonly edges: readonly { readonly src: string; readonly dst: string }[];
}

export interface ConformanceContext {
  readonly graph: TemplateGraph;
  readonly dockerImages: DockerImageSources;
}

export interface ConformanceReport {
  /** Node id → ids of its counterpart resources. */
  readonly nodes: ReadonlyMap<string, readonly string[]>;
  /** `src -> dst` → evidence sentence, for the edges proven. */
  readonly edges: ReadonlyMap<string, string>;
  readonly missingNodes: readonly string[];
  readonly missingEdges: readonly string[];
}

type Selector = (ctx: ConformanceContext) => GraphResource[];
type EdgeCheck = (ctx: ConformanceContext, src: readonly GraphResource[], dst: readonly GraphResource[]) => string | undefined;

const all = (ctx: ConformanceContext) => [...ctx.graph.resources.values()];
const byPath =
  (pattern: RegExp, type?: string): Selector =>
  (ctx) =>
    all(ctx).filter((r) => pattern.test(r.path) && (type === undefined || r.type === type));
const byType =
  (...types: string[]): Selector =>
  (ctx) =>
    all(ctx).filter((r) => types.includes(r.type));
const union =
  (...selectors: Selector[]): Selector =>
  (ctx) => [...new Set(selectors.flatMap((s) => s(ctx)))];

const serviceNames = { 1: 'frontend', 2: 'api', 3: 'data' } as const;
const serviceNodes = { 1: 'SRV1.Frontend', 2: 'SRV2.API', 3: 'SRV3.Data' } as const;

/** Counterparts of the seed's nodes. Group nodes without an entry are the union of their children. */
export const nodeCounterparts: Readonly<Record<string, Selector>> = {
  Infra: all,
  // The internet, as the VPC sees it: the default routes to 0.0.0.0/0 (and the public DNS zone).
  'Infra.INET': (ctx) => all(ctx).filter((r) => r.type === 'AWS::EC2::Route' && r.properties.DestinationCidrBlock === '0.0.0.0/0'),
  'Infra.Traffic.Route53': byPath(/^Traffic\//),
  'Infra.CDN.CloudFront': byType('AWS::CloudFront::Distribution'),
  'Infra.API.APIGateway': byPath(/^ApiGateway\//),
  'Infra.NetworkLayer.VPC': union(byType('AWS::EC2::VPC'), byPath(/^Network\//)),
  'Infra.NetworkLayer.VPC.IGW': byType('AWS::EC2::InternetGateway', 'AWS::EC2::VPCGatewayAttachment'),
  'Infra.NetworkLayer.VPC.RouteTable': byType('AWS::EC2::RouteTable', 'AWS::EC2::Route', 'AWS::EC2::SubnetRouteTableAssociation'),
  'Infra.NetworkLayer.VPC.SecurityGroup': byPath(/^Network\/(ServiceSecurityGroup\d|VpcLinkSecurityGroup)\//, 'AWS::EC2::SecurityGroup'),
  'Infra.NetworkLayer.VPC.LoadBalancers': byPath(/^LoadBalancers\//),
  'Infra.Application': byPath(/^Application\//),
  'Infra.Application.ECS': byType('AWS::ECS::Cluster'),
  'Infra.DATA': union(byPath(/^DataPlatform\//), byPath(/^Storage\//)),
  'Infra.DATA.IoT.IoTCore': union(byPath(/^DataPlatform\/DevicePolicy$/), byPath(/^DataPlatform\/IotEndpoint\//)),
  'Infra.DATA.IoT.IoTRules': union(byType('AWS::IoT::TopicRule'), byPath(/^DataPlatform\/RuleRole-/)),
  'Infra.DATA.CW': union(byType('AWS::CloudWatch::Alarm'), byPath(/^DataPlatform\/LogGroup\d+\//)),
  'Infra.DATA.Storage': byPath(/^Storage\//),
  'Infra.DATA.Storage.S3': byPath(/^Storage\/TelemetryBucket\/Resource$/),
  'Infra.DATA.Storage.DynamoDB': byType('AWS::DynamoDB::Table'),
  'Infra.AUTH': byPath(/^Auth\//),
  'Infra.AUTH.CognitoUserPool': union(byPath(/^Auth\/UserPool\//), byPath(/^Auth\/Group/)),
  'Infra.AUTH.CognitoIdentityPool': union(byPath(/^Auth\/IdentityPool\//), byPath(/^Auth\/BrowserIotPolicy$/)),
  ...Object.fromEntries(
    ([1, 2, 3] as const).flatMap((n) => [
      [`Infra.NetworkLayer.VPC.Subnets.Subnet${n}`, byPath(new RegExp(`^Network/Vpc/publicSubnet${n}/Subnet$`))],
      [`Infra.NetworkLayer.VPC.LoadBalancers.LB${n}`, byPath(new RegExp(`^LoadBalancers/LB${n}/`))],
      [`Infra.NetworkLayer.VPC.LoadBalancers.LB${n}.Listener${n}`, byPath(new RegExp(`^LoadBalancers/LB${n}/Listener${n}/Resource$`))],
      [`Infra.NetworkLayer.VPC.LoadBalancers.LB${n}.TargetGroup${n}`, byPath(new RegExp(`^LoadBalancers/TargetGroup${n}/Resource$`))],
      [`Infra.Application.ECS.SRV${n}`, byPath(new RegExp(`^Application/Service${n}/Service$`))],
      [`Infra.Application.ECS.SRV${n}.Task${n}`, byPath(new RegExp(`^Application/Task${n}/`))],
      // The service program: the container of task definition N named after it.
      [
        `Infra.Application.ECS.${serviceNodes[n]}`,
        (ctx: ConformanceContext) =>
          byPath(new RegExp(`^Application/Task${n}/Resource$`))(ctx).filter((r) => containers(r).some((c) => c.Name === serviceNames[n])),
      ],
    ]),
  ),
};

interface ContainerDefinition {
  readonly Name?: string;
  readonly Image?: unknown;
}
const containers = (r: GraphResource): ContainerDefinition[] =>
  (r.properties.ContainerDefinitions as ContainerDefinition[] | undefined) ?? [];

/** Topic filter match (MQTT: `+` one level, `#` the rest); policy variables `${...}` stand for one level. */
export function topicFilterMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i] && !/^\$\{[^}]+\}$/.test(t[i]!)) return false;
  }
  return f.length === t.length;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Publish topics an IoT policy allows, from `arn:...:topic/<topic>` resources (the ARN prefix may be a token). */
function publishTopics(policy: GraphResource): string[] {
  const doc = policy.properties.PolicyDocument as { Statement?: { Effect: string; Action: unknown; Resource: unknown }[] } | undefined;
  const flat = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  return (doc?.Statement ?? [])
    .filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes('iot:Publish'))
    .flatMap((s) => asArray(s.Resource).map(flat))
    .map((arn) => /:topic\/([^"]+)/.exec(arn)?.[1])
    .filter((t): t is string => t !== undefined);
}

/** Edges whose proof is not a plain reference. Keys are `src -> dst`. */
export const edgeChecks: Readonly<Record<string, EdgeCheck>> = {
  'Infra.INET -> Infra.Traffic.Route53': (_ctx, _src, dst) => {
    const zone = dst.find((r) => r.type === 'AWS::Route53::HostedZone' && r.properties.VPCs === undefined);
    const alias = dst.find((r) => r.type === 'AWS::Route53::RecordSet' && r.properties.AliasTarget !== undefined);
    return zone && alias ? `public hosted zone ${zone.logicalId} answers alias record ${alias.logicalId}` : undefined;
  },
  'Infra.NetworkLayer.VPC.RouteTable -> Infra.NetworkLayer.VPC.SecurityGroup': (ctx, src, dst) => {
    // route table ← association → subnet ← ECS service → security group
    for (const assoc of src.filter((r) => r.type === 'AWS::EC2::SubnetRouteTableAssociation')) {
      for (const subnet of ctx.graph.references.get(assoc.id) ?? []) {
        if (ctx.graph.resources.get(subnet)?.type !== 'AWS::EC2::Subnet') continue;
        for (const sg of dst) {
          const via = commonReferrers(ctx.graph, subnet, sg.id);
          if (via.length > 0)
            return `${assoc.logicalId} routes subnet ${subnet.split('/')[1]}, where ${via[0]!.split('/')[1]} applies ${sg.logicalId}`;
        }
      }
    }
    return undefined;
  },
  'Infra.DATA.IoT.IoTCore -> Infra.DATA.IoT.IoTRules': (_ctx, src, dst) => {
    const topics = src.filter((r) => r.type === 'AWS::IoT::Policy').flatMap(publishTopics);
    for (const rule of dst.filter((r) => r.type === 'AWS::IoT::TopicRule')) {
      const sql = (rule.properties.TopicRulePayload as { Sql?: string } | undefined)?.Sql ?? '';
      const filter = /\bFROM\s+'([^']+)'/i.exec(sql)?.[1];
      const topic = filter && topics.find((t) => topicFilterMatches(filter, t));
      if (topic) return `device policy allows publishing ${topic}; ${rule.logicalId} selects FROM '${filter}'`;
    }
    return undefined;
  },
  ...Object.fromEntries(
    ([1, 2, 3] as const).map((n) => [
      `Infra.Application.ECS.SRV${n}.Task${n} -> Infra.Application.ECS.${serviceNodes[n]}`,
      ((ctx, src, dst) => {
        for (const task of src.filter((r) => r.type === 'AWS::ECS::TaskDefinition' && dst.some((d) => d.id === r.id))) {
          for (const c of containers(task)) {
            const image = JSON.stringify(c.Image ?? '');
            const hash = Object.keys(ctx.dockerImages).find((h) => image.includes(h));
            const source = hash ? ctx.dockerImages[hash] : undefined;
            // One Dockerfile for the three services; the SERVICE build argument says which one it built.
            if (
              c.Name === serviceNames[n] &&
              source?.dockerFile === 'services/Dockerfile' &&
              source.dockerBuildArgs?.SERVICE === serviceNames[n]
            ) {
              return `${task.logicalId} runs container "${c.Name}" built from ${source.dockerFile} with SERVICE=${serviceNames[n]}`;
            }
          }
        }
        return undefined;
      }) satisfies EdgeCheck,
    ]),
  ),
};

/** Direct reference either way, or a resource referencing both sides. */
function referenceEvidence(ctx: ConformanceContext, src: readonly GraphResource[], dst: readonly GraphResource[]): string | undefined {
  for (const s of src) {
    for (const d of dst) {
      if (s.id === d.id) continue;
      if (refersTo(ctx.graph, s.id, d.id)) return `${s.id} references ${d.id}`;
      if (refersTo(ctx.graph, d.id, s.id)) return `${d.id} references ${s.id}`;
    }
  }
  for (const s of src) {
    for (const d of dst) {
      const via = commonReferrers(ctx.graph, s.id, d.id);
      if (via.length > 0) return `${via[0]} references ${s.id} and ${d.id}`;
    }
  }
  return undefined;
}

export function checkConformance(seed: SeedDiagram, ctx: ConformanceContext): ConformanceReport {
  const own = new Map<string, GraphResource[]>();
  for (const node of seed.nodes) own.set(node, nodeCounterparts[node]?.(ctx) ?? []);
  // A node stands for itself and everything drawn inside it.
  const withChildren = (node: string): GraphResource[] => [
    ...new Set(seed.nodes.filter((n) => n === node || n.startsWith(`${node}.`)).flatMap((n) => own.get(n) ?? [])),
  ];
  const nodes = new Map<string, string[]>();
  const missingNodes: string[] = [];
  for (const node of seed.nodes) {
    const isGroup = seed.nodes.some((n) => n.startsWith(`${node}.`));
    const found = nodeCounterparts[node] || !isGroup ? (own.get(node) ?? []) : withChildren(node);
    nodes.set(
      node,
      found.map((r) => r.id),
    );
    if (found.length === 0) missingNodes.push(node);
  }
  const edges = new Map<string, string>();
  const missingEdges: string[] = [];
  for (const { src, dst } of seed.edges) {
    const key = `${src} -> ${dst}`;
    const check = edgeChecks[key] ?? referenceEvidence;
    const evidence = check(ctx, withChildren(src), withChildren(dst));
    if (evidence) edges.set(key, evidence);
    else missingEdges.push(key);
  }
  return { nodes, edges, missingNodes, missingEdges };
}
