/**
 * Who signed a request to the local AWS endpoint, and the IAM policy that decides what they may do:
 * - the local cloud's root keys (`<data>/credentials.json`): the account root, allowed everything;
 * - one key pair per service task: the task role rendered from `taskRoleStatements` of `@fleet/core`,
 *   the statements the CDK app deploys;
 * - identity-pool credentials from GetCredentialsForIdentity: the identity pool's authenticated role
 *   (`browserRoleStatements`), with `${cognito-identity.amazonaws.com:sub}` bound to the identity.
 */
import { browserRoleStatements, renderStatement, taskRoleStatements, type ServiceName } from '@fleet/core';
import type { PolicyDocument } from '../iot/policy/policy-evaluator.ts';
import type { LocalArns } from './local-arns.ts';

export type Principal =
  | { readonly kind: 'root'; readonly arn: string }
  | { readonly kind: 'task'; readonly service: ServiceName; readonly arn: string; readonly policy: PolicyDocument }
  | { readonly kind: 'identity'; readonly identityId: string; readonly arn: string; readonly policy: PolicyDocument };

/** Role names as the local cloud shows them in messages (the CDK app lets CloudFormation name them). */
export const taskRoleName = (service: ServiceName) => `fleet-${service}-task-role`;
export const browserRoleName = 'fleet-identity-pool-authenticated-role';

export function rootPrincipal(arns: LocalArns): Principal {
  return { kind: 'root', arn: `arn:aws:iam::${arns.account}:root` };
}

/** A task's credentials act as its task role, like ECS's assumed-role session. */
export function taskPrincipal(service: ServiceName, arns: LocalArns): Principal {
  return {
    kind: 'task',
    service,
    arn: `arn:aws:sts::${arns.account}:assumed-role/${taskRoleName(service)}/${service}-task`,
    policy: { Version: '2012-10-17', Statement: taskRoleStatements[service].map((s) => renderStatement(s, arns)) },
  };
}

/** Cognito names the role session of identity credentials `CognitoIdentityCredentials`. */
export function identityPrincipal(identityId: string, arns: LocalArns): Principal {
  return {
    kind: 'identity',
    identityId,
    arn: `arn:aws:sts::${arns.account}:assumed-role/${browserRoleName}/CognitoIdentityCredentials`,
    policy: { Version: '2012-10-17', Statement: browserRoleStatements(arns.region, arns.account) },
  };
}
