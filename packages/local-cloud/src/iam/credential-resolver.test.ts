import { describe, expect, it } from 'vitest';
import { authorize } from './authorize.ts';
import { credentialResolver } from './credential-resolver.ts';
import { localArns } from './local-arns.ts';

describe('credential resolver', () => {
  it("renders a task role with the user pool provisioned after the port started listening (the API's Cognito calls)", () => {
    let userPoolId = '';
    const arns = localArns({ region: 'us-east-1', account: '000000000000', userPoolId: () => userPoolId });
    const resolve = credentialResolver({
      root: { accessKeyId: 'ROOT', secretAccessKey: 'r' },
      tasks: { api: { accessKeyId: 'API', secretAccessKey: 'a' } },
      identities: () => undefined,
      arns,
    });
    const check = () => {
      const principal = resolve('API')?.principal;
      if (!principal) throw new Error('the API task key is not known');
      return authorize(principal, [{ action: 'cognito-idp:AdminListGroupsForUser', resource: arns.userPool(userPoolId) }]).allowed;
    };
    // Looked up once before provisioning, as the first signed request may be.
    expect(resolve('API')?.principal.kind).toBe('task');
    userPoolId = 'us-east-1_Pool1';
    expect(check()).toBe(true);
    expect(resolve('ROOT')?.principal.kind).toBe('root');
    expect(resolve('UNKNOWN')).toBeUndefined();
  });
});
