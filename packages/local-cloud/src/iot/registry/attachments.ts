/**
 * Attachments: policies to targets (AttachPolicy, DetachPolicy, ListAttachedPolicies) and
 * principals to things (AttachThingPrincipal, DetachThingPrincipal, ListThingPrincipals,
 * ListPrincipalThings). A target or principal is a certificate ARN of this account or a Cognito
 * identity id. `policyDocumentsOf` is what the broker evaluates on every CONNECT, PUBLISH,
 * SUBSCRIBE and delivery: parsed once per policy version, cached per principal for a revision.
 */
import type { PolicyDocument } from '../policy/policy-evaluator.ts';
import { checkPrincipal, requirePolicy, requireThing, saveChange, type RegistryContext } from './registry-context.ts';
import type { ListMapName, PolicyRecord } from './registry-store.ts';

function attached(map: Record<string, string[]>, key: string): string[] {
  return (map[key] ??= []);
}

/** Adds a principal to the list of `key` once (attaching twice is no error on AWS) and persists. */
function attach(context: RegistryContext, list: ListMapName, key: string, principal: string): void {
  checkPrincipal(context, principal);
  const principals = attached(context.state[list], key);
  if (principals.includes(principal)) return;
  principals.push(principal);
  saveChange(context, [{ add: list, key, member: principal }]);
}

export function attachPolicy(context: RegistryContext, policyName: string, target: string): void {
  requirePolicy(context, policyName);
  attach(context, 'policyTargets', policyName, target);
}

export function detachPolicy(context: RegistryContext, policyName: string, target: string): void {
  requirePolicy(context, policyName);
  const targets = attached(context.state.policyTargets, policyName);
  context.state.policyTargets[policyName] = targets.filter((t) => t !== target);
  saveChange(context, [{ remove: 'policyTargets', key: policyName, member: target }]);
}

export function listAttachedPolicies(context: RegistryContext, target: string): PolicyRecord[] {
  const { state } = context;
  return Object.entries(state.policyTargets)
    .filter(([, targets]) => targets.includes(target))
    .map(([name]) => state.policies[name])
    .filter((p): p is PolicyRecord => p !== undefined)
    .sort((a, b) => a.policyName.localeCompare(b.policyName));
}

/** The default versions of every policy attached to a principal, parsed, for the broker. */
export function policyDocumentsOf(context: RegistryContext, principal: string): PolicyDocument[] {
  const cached = context.documentsByPrincipal.get(principal);
  if (cached) return cached;
  const { state, parsedDocuments } = context;
  const documents: PolicyDocument[] = [];
  for (const [name, targets] of Object.entries(state.policyTargets)) {
    if (!targets.includes(principal)) continue;
    const record = state.policies[name];
    const version = record?.versions.find((v) => v.versionId === record.defaultVersionId);
    if (!version) continue;
    const key = `${name}#${version.versionId}#${version.createDate}`;
    let parsed = parsedDocuments.get(key);
    if (!parsed) {
      parsed = JSON.parse(version.document) as PolicyDocument;
      parsedDocuments.set(key, parsed);
    }
    documents.push(parsed);
  }
  context.documentsByPrincipal.set(principal, documents);
  return documents;
}

export function attachThingPrincipal(context: RegistryContext, thingName: string, principal: string): void {
  requireThing(context, thingName);
  attach(context, 'thingPrincipals', thingName, principal);
}

export function detachThingPrincipal(context: RegistryContext, thingName: string, principal: string): void {
  requireThing(context, thingName);
  const { state } = context;
  state.thingPrincipals[thingName] = (state.thingPrincipals[thingName] ?? []).filter((p) => p !== principal);
  saveChange(context, [{ remove: 'thingPrincipals', key: thingName, member: principal }]);
}

export function listThingPrincipals(context: RegistryContext, thingName: string): string[] {
  requireThing(context, thingName);
  return [...(context.state.thingPrincipals[thingName] ?? [])];
}

export function listPrincipalThings(context: RegistryContext, principal: string): string[] {
  return Object.entries(context.state.thingPrincipals)
    .filter(([, principals]) => principals.includes(principal))
    .map(([name]) => name)
    .sort();
}

/** AWS: `${iot:Connection.Thing.ThingName}` is set when the thing named like the client id is attached to the principal. */
export function isThingAttachedTo(context: RegistryContext, thingName: string, principal: string): boolean {
  return context.state.things[thingName] !== undefined && (context.state.thingPrincipals[thingName] ?? []).includes(principal);
}
