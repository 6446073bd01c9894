import { describe, expect, it } from 'vitest';
import { allowAll, identityId, testRegistry } from '../../registry/registry-test-context.ts';
import { policyRoutes } from './policy-routes.ts';
import { callRoute } from './route-test-kit.ts';

const denyAll = JSON.stringify({ Statement: [{ Effect: 'Deny', Action: 'iot:*', Resource: '*' }] });

describe('policy routes', () => {
  it('POST /policies/{name} creates version 1; GET answers the default version with epoch-second dates', async () => {
    const registry = testRegistry();
    const routes = policyRoutes(registry);
    expect((await callRoute(routes, 'POST', '/policies/device', { body: { policyDocument: allowAll } })).json).toEqual({
      policyName: 'device',
      policyArn: registry.arn('policy', 'device'),
      policyDocument: allowAll,
      policyVersionId: '1',
    });
    const { record } = registry.getPolicy('device');
    expect((await callRoute(routes, 'GET', '/policies/device')).json).toEqual({
      policyName: 'device',
      policyArn: record.policyArn,
      policyDocument: allowAll,
      defaultVersionId: '1',
      creationDate: record.creationDate / 1000,
      lastModifiedDate: record.lastModifiedDate / 1000,
      generationId: String(record.lastModifiedDate),
    });
  });

  it('POST /policies/{name}/version adds a version, the default one with setAsDefault', async () => {
    const routes = policyRoutes(testRegistry());
    await callRoute(routes, 'POST', '/policies/device', { body: { policyDocument: allowAll } });
    const version = await callRoute(routes, 'POST', '/policies/device/version', {
      query: { setAsDefault: 'true' },
      body: { policyDocument: denyAll },
    });
    expect(version.json).toMatchObject({ policyDocument: denyAll, policyVersionId: '2', isDefaultVersion: true });
    expect((await callRoute(routes, 'GET', '/policies/device')).json).toMatchObject({ defaultVersionId: '2', policyDocument: denyAll });
  });

  it('GET /policies lists summaries, descending with isAscendingOrder=false, paged by pageSize and marker', async () => {
    const routes = policyRoutes(testRegistry());
    for (const name of ['a', 'b', 'c']) await callRoute(routes, 'POST', `/policies/${name}`, { body: { policyDocument: allowAll } });
    const first = await callRoute(routes, 'GET', '/policies', { query: { isAscendingOrder: 'false', pageSize: '2' } });
    expect((first.json.policies as { policyName: string }[]).map((p) => p.policyName)).toEqual(['c', 'b']);
    const rest = await callRoute(routes, 'GET', '/policies', {
      query: { isAscendingOrder: 'false', marker: first.json.nextMarker as string },
    });
    expect(rest.json).toEqual({ policies: [{ policyName: 'a', policyArn: expect.stringContaining(':policy/a') }] });
  });

  it('attaches with PUT /target-policies, lists with POST /attached-policies, detaches with POST /target-policies', async () => {
    const routes = policyRoutes(testRegistry());
    await callRoute(routes, 'POST', '/policies/browser', { body: { policyDocument: allowAll } });
    expect((await callRoute(routes, 'PUT', '/target-policies/browser', { body: { target: identityId } })).status).toBe(200);
    const listed = await callRoute(routes, 'POST', `/attached-policies/${encodeURIComponent(identityId)}`);
    expect(listed.json).toEqual({ policies: [{ policyName: 'browser', policyArn: expect.stringContaining(':policy/browser') }] });
    expect(await callRoute(routes, 'DELETE', '/policies/browser')).toMatchObject({ status: 409, errorType: 'DeleteConflictException' });
    await callRoute(routes, 'POST', '/target-policies/browser', { body: { target: identityId } });
    expect((await callRoute(routes, 'DELETE', '/policies/browser')).status).toBe(200);
  });

  it('answers InvalidRequestException for an attachment without target and MalformedPolicyException for a bad document', async () => {
    const routes = policyRoutes(testRegistry());
    await callRoute(routes, 'POST', '/policies/p', { body: { policyDocument: allowAll } });
    expect(await callRoute(routes, 'PUT', '/target-policies/p', { body: {} })).toMatchObject({
      status: 400,
      errorType: 'InvalidRequestException',
      json: { message: 'target is required' },
    });
    expect(await callRoute(routes, 'POST', '/policies/q', { body: { policyDocument: '{' } })).toMatchObject({
      status: 400,
      errorType: 'MalformedPolicyException',
    });
  });
});
