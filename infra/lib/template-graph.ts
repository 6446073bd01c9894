/**
 * A graph of synthesized CloudFormation: every resource of every stack, and every reference
 * between them (Ref, Fn::GetAtt, Fn::Sub variables, and Fn::ImportValue followed to the exporting
 * stack's resource). `DependsOn` is ignored: ordering is not a relationship. The conformance test
 * checks the seed diagram against it and `scripts/diagram.ts` draws it.
 */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }>>;
}

/** Docker image assets by hash, with the Dockerfile each is built from and its build arguments. */
export type DockerImageSources = Readonly<
  Record<string, { readonly dockerFile: string; readonly dockerBuildArgs?: Readonly<Record<string, string>> }>
>;

export interface GraphResource {
  /** `<stack>/<logicalId>` */
  readonly id: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** Construct path (`aws:cdk:path`) without the stack, e.g. `LoadBalancers/LB1/Resource`; '' when absent. */
  readonly path: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface TemplateGraph {
  readonly resources: ReadonlyMap<string, GraphResource>;
  /** Resources each resource references. */
  readonly references: ReadonlyMap<string, ReadonlySet<string>>;
  /** Resources that reference each resource. */
  readonly referrers: ReadonlyMap<string, ReadonlySet<string>>;
}

const empty: ReadonlySet<string> = new Set();

/** Logical ids a value refers to inside its own template (`{ Ref }`, `Fn::GetAtt`, `${X}` in Fn::Sub). */
export function localReferences(value: unknown, logicalIds: ReadonlySet<string>, imports?: (name: string) => readonly string[]): string[] {
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o.Ref === 'string' && logicalIds.has(o.Ref)) found.push(o.Ref);
    const getAtt = o['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && logicalIds.has(getAtt[0])) found.push(getAtt[0]);
    if (typeof getAtt === 'string' && logicalIds.has(getAtt.split('.')[0]!)) found.push(getAtt.split('.')[0]!);
    const sub = o['Fn::Sub'];
    const subText = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
    for (const match of subText?.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g) ?? []) {
      if (logicalIds.has(match[1]!)) found.push(match[1]!);
    }
    const imported = o['Fn::ImportValue'];
    if (typeof imported === 'string' && imports) found.push(...imports(imported));
    Object.values(o).forEach(visit);
  };
  visit(value);
  return found;
}

export function buildTemplateGraph(templates: Readonly<Record<string, CfnTemplate>>): TemplateGraph {
  const resources = new Map<string, GraphResource>();
  // Export name → `<stack>/<logicalId>` of the resources its value refers to.
  const exports = new Map<string, string[]>();
  for (const [stack, template] of Object.entries(templates)) {
    const ids = new Set(Object.keys(template.Resources));
    for (const [logicalId, r] of Object.entries(template.Resources)) {
      const cdkPath = typeof r.Metadata?.['aws:cdk:path'] === 'string' ? r.Metadata['aws:cdk:path'] : '';
      resources.set(`${stack}/${logicalId}`, {
        id: `${stack}/${logicalId}`,
        stack,
        logicalId,
        type: r.Type,
        path: cdkPath.startsWith(`${stack}/`) ? cdkPath.slice(stack.length + 1) : cdkPath,
        properties: r.Properties ?? {},
      });
    }
    for (const output of Object.values(template.Outputs ?? {})) {
      if (typeof output.Export?.Name === 'string') {
        exports.set(
          output.Export.Name,
          localReferences(output.Value, ids).map((id) => `${stack}/${id}`),
        );
      }
    }
  }
  const references = new Map<string, Set<string>>();
  const referrers = new Map<string, Set<string>>();
  for (const [stack, template] of Object.entries(templates)) {
    const ids = new Set(Object.keys(template.Resources));
    for (const [logicalId, r] of Object.entries(template.Resources)) {
      const from = `${stack}/${logicalId}`;
      const to = new Set<string>();
      for (const ref of localReferences(r.Properties ?? {}, ids, (name) => (exports.get(name) ?? []).map((x) => `@${x}`))) {
        to.add(ref.startsWith('@') ? ref.slice(1) : `${stack}/${ref}`);
      }
      to.delete(from);
      references.set(from, to);
      for (const target of to) {
        if (!referrers.has(target)) referrers.set(target, new Set());
        referrers.get(target)!.add(from);
      }
    }
  }
  return { resources, references, referrers };
}

export function refersTo(graph: TemplateGraph, from: string, to: string): boolean {
  return (graph.references.get(from) ?? empty).has(to);
}

/** Resources that reference both `a` and `b` (e.g. an ECS service referencing its target group and its subnet). */
export function commonReferrers(graph: TemplateGraph, a: string, b: string): string[] {
  const ofB = graph.referrers.get(b) ?? empty;
  return [...(graph.referrers.get(a) ?? empty)].filter((r) => ofB.has(r));
}
