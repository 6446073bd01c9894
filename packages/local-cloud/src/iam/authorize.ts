/**
 * The IAM decision for one signed request: every access check must be allowed by the principal's
 * identity-based policy (explicit deny wins, nothing matching is an implicit deny). The evaluation
 * of statements is the IAM policy grammar the IoT broker already evaluates (`*`/`?` wildcards,
 * policy variables, condition operators). A denial carries the message AWS writes.
 */
import { evaluatePolicies, type PolicyContext } from '../iot/policy/policy-evaluator.ts';
import type { AccessCheck } from './access-check.ts';
import type { Principal } from './principals.ts';

export type AuthorizationResult =
  { readonly allowed: true } | { readonly allowed: false; readonly check: AccessCheck; readonly message: string };

export function authorize(principal: Principal, checks: readonly AccessCheck[]): AuthorizationResult {
  if (principal.kind === 'root') return { allowed: true };
  const variables: PolicyContext =
    principal.kind === 'identity' ? { 'cognito-identity.amazonaws.com:sub': principal.identityId, 'aws:userid': principal.identityId } : {};
  for (const check of checks) {
    const decision = evaluatePolicies([principal.policy], check.action, check.resource, { ...variables, ...check.context });
    if (decision === 'allow') continue;
    const because =
      decision === 'explicit-deny'
        ? `with an explicit deny in an identity-based policy`
        : `because no identity-based policy allows the ${check.action} action`;
    return {
      allowed: false,
      check,
      message: `User: ${principal.arn} is not authorized to perform: ${check.action} on resource: ${check.resource} ${because}`,
    };
  }
  return { allowed: true };
}
