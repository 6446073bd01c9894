/**
 * The local pre-provisioning hook: AWS invokes a Lambda function with the RegisterThing request and
 * reads `{ allowProvisioning, parameterOverrides }` from its answer
 * (https://docs.aws.amazon.com/iot/latest/developerguide/pre-provisioning-hook.html). The local
 * cloud has no Lambda runtime, so the hook is an HTTP endpoint: POSTed the same JSON, answering the
 * same JSON within AWS's 5 s. Anything else fails the hook, and the device is not provisioned.
 */
import type { CallHook, HookAnswer } from './register-thing.ts';

const hookTimeoutMs = 5_000;

export const callHttpHook: CallHook = async (url, request) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(hookTimeoutMs),
  });
  if (!response.ok) throw new Error(`pre-provisioning hook answered HTTP ${response.status}`);
  const answer = (await response.json()) as Partial<HookAnswer> | null;
  if (typeof answer?.allowProvisioning !== 'boolean') throw new Error('pre-provisioning hook answered no boolean allowProvisioning');
  return answer as HookAnswer;
};
