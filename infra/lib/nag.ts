/**
 * Helpers for cdk-nag v3 acknowledgements (`Validations.of(scope).acknowledge`). An IAM5 finding
 * names the wildcard resource exactly as it appears in the template, flattened the way cdk-nag
 * flattens CloudFormation references (Ref → `<Id>`, Fn::GetAtt → `<Id.Attr>`, Fn::ImportValue →
 * its export name); these helpers compute that id, so that each acknowledgement names one finding.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Mirrors cdk-nag's `flattenCfnReference` (lib/utils/flatten-cfn-reference.js, not exported). */
export function flattenCfnReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (Array.isArray(o['Fn::Join'])) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flattenCfnReference).join(delimiter);
    }
    if ('Fn::Sub' in o) return flattenCfnReference(o['Fn::Sub']);
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
    }
    if ('Fn::ImportValue' in o) return flattenCfnReference(o['Fn::ImportValue']);
    if ('Ref' in o) return `<${flattenCfnReference(o.Ref)}>`;
  }
  return JSON.stringify(node);
}

/**
 * Acknowledges the IAM5 finding for one wildcard resource (an ARN string, tokens allowed) on
 * `scope` and everything below it.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const flat = flattenCfnReference(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[Resource::${flat}]`, reason });
}
