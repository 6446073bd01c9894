import { describe, expect, it } from 'vitest';
import { identityId, testRegistry } from '../../registry/registry-test-context.ts';
import { callRoute } from './route-test-kit.ts';
import { thingRoutes } from './thing-routes.ts';

describe('thing routes', () => {
  it('POST /things/{name} creates a thing; GET describes it with its default client id', async () => {
    const registry = testRegistry();
    const routes = thingRoutes(registry);
    const created = await callRoute(routes, 'POST', '/things/sensor-1', {
      body: { thingTypeName: 'sensor', attributePayload: { attributes: { site: 'lyon' } } },
    });
    expect(created).toMatchObject({ status: 200, json: { thingName: 'sensor-1', thingArn: registry.arn('thing', 'sensor-1') } });
    expect((await callRoute(routes, 'GET', '/things/sensor-1')).json).toEqual({
      defaultClientId: 'sensor-1',
      thingName: 'sensor-1',
      thingId: created.json.thingId,
      thingArn: registry.arn('thing', 'sensor-1'),
      thingTypeName: 'sensor',
      attributes: { site: 'lyon' },
      version: 1,
    });
  });

  it('PATCH merges attributes with the expected version; DELETE checks expectedVersion from the query', async () => {
    const registry = testRegistry();
    const routes = thingRoutes(registry);
    await callRoute(routes, 'POST', '/things/t', { body: { attributePayload: { attributes: { a: '1', b: '2' } } } });
    const patched = await callRoute(routes, 'PATCH', '/things/t', {
      body: { attributePayload: { attributes: { a: '' }, merge: true }, expectedVersion: 1 },
    });
    expect(patched).toEqual({ status: 200, json: {} });
    expect(registry.describeThing('t')).toMatchObject({ attributes: { b: '2' }, version: 2 });
    expect(await callRoute(routes, 'DELETE', '/things/t', { query: { expectedVersion: '1' } })).toMatchObject({
      status: 409,
      errorType: 'VersionConflictException',
    });
    expect(await callRoute(routes, 'DELETE', '/things/t', { query: { expectedVersion: 'two' } })).toMatchObject({ status: 400 });
    expect((await callRoute(routes, 'DELETE', '/things/t', { query: { expectedVersion: '2' } })).status).toBe(200);
  });

  it('GET /things filters and pages with maxResults and nextToken', async () => {
    const routes = thingRoutes(testRegistry());
    for (const name of ['c', 'a', 'b']) await callRoute(routes, 'POST', `/things/${name}`, { body: { thingTypeName: 'sensor' } });
    await callRoute(routes, 'POST', '/things/other');
    const first = await callRoute(routes, 'GET', '/things', { query: { thingTypeName: 'sensor', maxResults: '2' } });
    expect((first.json.things as { thingName: string }[]).map((t) => t.thingName)).toEqual(['a', 'b']);
    const second = await callRoute(routes, 'GET', '/things', {
      query: { thingTypeName: 'sensor', maxResults: '2', nextToken: first.json.nextToken as string },
    });
    expect(second.json).toEqual({ things: [expect.objectContaining({ thingName: 'c' })] });
    expect((await callRoute(routes, 'GET', '/things', { query: { maxResults: '251' } })).status).toBe(400);
  });

  it('attaches, lists and detaches a principal named by the x-amzn-principal header', async () => {
    const routes = thingRoutes(testRegistry());
    await callRoute(routes, 'POST', '/things/t');
    const principal = { 'x-amzn-principal': identityId };
    expect((await callRoute(routes, 'PUT', '/things/t/principals', { headers: principal })).status).toBe(200);
    expect((await callRoute(routes, 'GET', '/things/t/principals')).json).toEqual({ principals: [identityId] });
    expect((await callRoute(routes, 'GET', '/principals/things', { headers: principal })).json).toEqual({ things: ['t'] });
    await callRoute(routes, 'DELETE', '/things/t/principals', { headers: principal });
    expect((await callRoute(routes, 'GET', '/things/t/principals')).json).toEqual({ principals: [] });
  });

  it('answers InvalidRequestException without the principal header, ResourceNotFoundException for an unknown thing', async () => {
    const routes = thingRoutes(testRegistry());
    expect(await callRoute(routes, 'GET', '/principals/things')).toMatchObject({
      status: 400,
      errorType: 'InvalidRequestException',
      json: { message: 'principal (x-amzn-principal header) is required' },
    });
    expect(await callRoute(routes, 'GET', '/things/missing')).toMatchObject({ status: 404, errorType: 'ResourceNotFoundException' });
  });
});
