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
        'POST /api/users',
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

  it('shows the limits of every input: bounded strings, no unknown fields, the body limit and its 413', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const problems: string[] = [];
    /** Every string must have a length bound or be one of fixed values; every object must refuse unknown fields. */
    const check = (schema: Record<string, unknown>, where: string): void => {
      if (schema['type'] === 'string' && schema['maxLength'] === undefined && schema['const'] === undefined && !schema['enum']) {
        problems.push(`${where} is a string without maxLength`);
      }
      if (schema['type'] === 'object' && schema['additionalProperties'] !== false && !schema['maxProperties']) {
        problems.push(`${where} is an object that accepts unknown fields`);
      }
      const properties = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
      for (const [name, sub] of Object.entries(properties)) check(sub, `${where}.${name}`);
      for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
        for (const [i, sub] of ((schema[key] ?? []) as Record<string, unknown>[]).entries()) check(sub, `${where}.${key}[${i}]`);
      }
      if (schema['items']) check(schema['items'] as Record<string, unknown>, `${where}[]`);
      if (typeof schema['additionalProperties'] === 'object')
        check(schema['additionalProperties'] as Record<string, unknown>, `${where}{}`);
      if (schema['propertyNames']) check(schema['propertyNames'] as Record<string, unknown>, `${where} keys`);
    };
    const operations = Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
    );
    for (const { name, op } of operations) {
      for (const p of (op['parameters'] ?? []) as { name: string; in: string; schema: Record<string, unknown> }[]) {
        check(p.schema, `${name} ${p.in} ${p.name}`);
      }
      const body = (op['requestBody'] as { content: Record<string, { schema: Record<string, unknown> }> } | undefined)?.content[
        'application/json'
      ]?.schema;
      if (!body) continue;
      check(body, `${name} body`);
      const responses = op['responses'] as Record<string, unknown>;
      if (!responses['413'] || !responses['415']) problems.push(`${name} does not document 413 and 415`);
      if (!String(op['description']).match(/at most \d+ KiB/)) problems.push(`${name} does not state its body limit`);
    }
    expect(problems).toEqual([]);
    expect(doc.info.description).toContain('16 KiB');
    expect(doc.paths['/api/devices/{id}/commands'].post.description).toContain('64 KiB');
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
