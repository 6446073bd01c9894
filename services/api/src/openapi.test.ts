import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './test-support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('OpenAPI document', () => {
  it('lists every route with its methods, and marks protected ones with bearer auth', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(operations).toEqual(
      [
        'GET /api/health',
        'GET /api/health/live',
        'POST /api/devices',
        'GET /api/devices',
        'GET /api/devices/{id}',
        'DELETE /api/devices/{id}',
        'POST /api/devices/{id}/commands',
        'GET /api/devices/{id}/telemetry/latest',
        'GET /api/devices/{id}/telemetry',
        'GET /api/devices/{id}/telemetry/raw',
        'GET /api/me',
        'POST /api/me/live-access',
        'GET /api/users',
        'GET /api/dead-letters',
        'POST /api/dead-letters/replay',
        'PUT /api/users/{username}/role',
      ].sort(),
    );
    expect(doc.paths['/api/health'].get.security).toBeUndefined();
    expect(doc.paths['/api/health/live'].get.security).toBeUndefined();
    expect(doc.paths['/api/devices'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/api/devices'].post.responses['409'].content['application/json'].schema.properties).toHaveProperty('code');
  });

  it('serves the docs UI under /api/docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });

  it('answers unknown routes with the error model', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/nothing?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 'NotFound', message: 'Route GET /api/nothing not found' });
  });
});
