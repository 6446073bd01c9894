import { attributeFilterPattern, deviceListLimits, errorCodes, errorMessageMaxLength, isErrorCode } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './test-support/test-app.ts';

type Schema = Record<string, unknown>;
type Operation = { name: string; op: Record<string, unknown> };

/** Every operation of the OpenAPI document, named `METHOD /path`. */
const operationsOf = (doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

/** The JSON schema of each response of an operation, by status. */
const responsesOf = (op: Record<string, unknown>): [string, Schema | undefined][] =>
  Object.entries((op['responses'] ?? {}) as Record<string, { content?: Record<string, { schema?: Schema }> }>).map(([status, r]) => [
    status,
    r.content?.['application/json']?.schema,
  ]);

/**
 * Problems of a schema: a string without a length bound (or fixed values), an object that accepts
 * unknown fields without a bound (request objects must refuse them; answers may add fields, which a
 * reader ignores, but their maps must be bounded).
 */
function unboundedParts(schema: Schema, where: string, objects: 'closed' | 'open'): string[] {
  const problems: string[] = [];
  const check = (s: Schema, at: string): void => {
    if (s['type'] === 'string' && s['maxLength'] === undefined && s['const'] === undefined && !s['enum']) {
      problems.push(`${at} is a string without maxLength`);
    }
    const isMap = s['patternProperties'] !== undefined || typeof s['additionalProperties'] === 'object';
    if (s['type'] === 'object' && isMap && !(s['maxProperties'] && s['propertyNames'])) {
      problems.push(`${at} is a map without maxProperties and bounded names`);
    }
    if (s['type'] === 'object' && !isMap && objects === 'closed' && s['additionalProperties'] !== false && !s['maxProperties']) {
      problems.push(`${at} is an object that accepts unknown fields`);
    }
    const described = Object.keys(s['properties'] ?? {}).length > 0;
    if (s['type'] === 'object' && !isMap && (!described || s['additionalProperties'] === true) && objects === 'open') {
      problems.push(`${at} is an object that passes anything through`);
    }
    for (const [name, sub] of Object.entries((s['properties'] ?? {}) as Record<string, Schema>)) check(sub, `${at}.${name}`);
    for (const [pattern, sub] of Object.entries((s['patternProperties'] ?? {}) as Record<string, Schema>)) check(sub, `${at}{${pattern}}`);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      for (const [i, sub] of ((s[key] ?? []) as Schema[]).entries()) check(sub, `${at}.${key}[${i}]`);
    }
    if (s['items']) check(s['items'] as Schema, `${at}[]`);
    if (typeof s['additionalProperties'] === 'object') check(s['additionalProperties'] as Schema, `${at}{}`);
    if (s['propertyNames']) check(s['propertyNames'] as Schema, `${at} keys`);
  };
  check(schema, where);
  return problems;
}

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
        'POST /api/device-imports',
        'GET /api/device-imports/{importId}',
        'GET /api/device-imports/{importId}/credentials',
        'GET /api/devices',
        'GET /api/devices/{id}',
        'DELETE /api/devices/{id}',
        'GET /api/devices/{id}/certificates',
        'POST /api/devices/{id}/certificates',
        'POST /api/devices/{id}/certificates/{certificateId}/revoke',
        'POST /api/devices/bulk',
        'GET /api/devices/{id}/attributes',
        'PUT /api/devices/{id}/attributes',
        'GET /api/devices/{id}/config',
        'PUT /api/devices/{id}/config',
        'POST /api/devices/{id}/commands',
        'GET /api/devices/{id}/commands',
        'POST /api/devices/{id}/commands/{commandId}/cancel',
        'POST /api/commands',
        'GET /api/commands/{commandId}',
        'POST /api/commands/{commandId}/cancel',
        'GET /api/devices/{id}/telemetry/latest',
        'GET /api/devices/{id}/telemetry',
        'GET /api/thing-groups',
        'GET /api/devices/{id}/telemetry/raw',
        'GET /api/me',
        'POST /api/me/live-access',
        'GET /api/users',
        'POST /api/users',
        'GET /api/dead-letters',
        'POST /api/dead-letters/replay',
        'PUT /api/users/{username}/role',
        'PUT /api/users/{username}/device-access',
        'GET /api/rules',
        'POST /api/rules',
        'POST /api/rules/test',
        'GET /api/rules/{name}',
        'PUT /api/rules/{name}',
        'DELETE /api/rules/{name}',
        'POST /api/rules/{name}/enable',
        'POST /api/rules/{name}/disable',
        'GET /api/notification-channels',
        'POST /api/notification-channels',
        'GET /api/notification-channels/mailbox',
        'DELETE /api/notification-channels/{id}',
        'GET /api/alarm-definitions',
        'POST /api/alarm-definitions',
        'GET /api/alarm-definitions/{id}',
        'PUT /api/alarm-definitions/{id}',
        'DELETE /api/alarm-definitions/{id}',
        'GET /api/alarms',
        'POST /api/alarms/{definitionId}/{deviceId}/acknowledge',
        'POST /api/alarms/{definitionId}/{deviceId}/clear',
        'GET /api/alarm-events',
        'POST /api/alarm-events/read',
        'GET /api/retention',
        'PUT /api/retention',
        'GET /api/data-usage',
        'GET /api/data-jobs',
        'POST /api/data-jobs',
        'GET /api/data-jobs/{id}',
        'POST /api/data-jobs/{id}/start',
        'GET /api/metric-settings',
        'PUT /api/metric-settings/{metric}',
        'DELETE /api/metric-settings/{metric}',
        'GET /api/dashboards',
        'POST /api/dashboards',
        'GET /api/dashboards/{id}',
        'PUT /api/dashboards/{id}',
        'DELETE /api/dashboards/{id}',
        'GET /api/device-status-counts',
        'GET /api/overview',
        'GET /api/provisioning',
        'GET /api/audit',
        'GET /api/devices/revoked',
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
    for (const { name, op } of operationsOf(doc)) {
      for (const p of (op['parameters'] ?? []) as { name: string; in: string; schema: Schema }[]) {
        problems.push(...unboundedParts(p.schema, `${name} ${p.in} ${p.name}`, 'closed'));
      }
      const body = (op['requestBody'] as { content: Record<string, { schema: Schema }> } | undefined)?.content['application/json']?.schema;
      if (!body) continue;
      problems.push(...unboundedParts(body, `${name} body`, 'closed'));
      const responses = op['responses'] as Record<string, unknown>;
      if (!responses['413'] || !responses['415']) problems.push(`${name} does not document 413 and 415`);
      if (!String(op['description']).match(/at most \d+ KiB/)) problems.push(`${name} does not state its body limit`);
    }
    expect(problems).toEqual([]);
    expect(doc.info.description).toContain('16 KiB');
    expect(doc.paths['/api/devices/{id}/commands'].post.description).toContain('64 KiB');
  });

  it('describes every answer fully: no pass-through object, bounded strings and maps', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const problems: string[] = [];
    for (const { name, op } of operationsOf(doc)) {
      for (const [status, schema] of responsesOf(op)) {
        if (status === '204') continue;
        if (!schema) problems.push(`${name} ${status} has no JSON schema`);
        else problems.push(...unboundedParts(schema, `${name} ${status}`, 'open'));
      }
    }
    expect(problems).toEqual([]);
    const telemetry = doc.paths['/api/devices/{id}/telemetry'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(telemetry.properties)).toEqual(expect.arrayContaining(['deviceId', 'from', 'to', 'intervalMs', 'metrics']));
  });

  it('documents for every error answer only codes of the closed set, each under its own status', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const problems: string[] = [];
    let documented = 0;
    for (const { name, op } of operationsOf(doc)) {
      const statuses = responsesOf(op).filter(([status]) => Number(status) >= 400);
      if (!statuses.some(([status]) => status === '500')) problems.push(`${name} does not document 500 InternalError`);
      for (const [status, schema] of statuses) {
        if (name.endsWith('/health') && status === '503') continue; // the readiness report, not an error
        const properties = (schema?.['properties'] ?? {}) as Record<string, Schema>;
        const codes = (properties['code']?.['enum'] ?? []) as unknown[];
        if (codes.length === 0) problems.push(`${name} ${status} names no code`);
        for (const code of codes) {
          documented++;
          if (!isErrorCode(code)) problems.push(`${name} ${status} documents ${String(code)}, outside the closed set`);
          else if (String(errorCodes[code]) !== status)
            problems.push(`${name} ${status} documents ${code}, whose status is ${errorCodes[code]}`);
        }
        if (properties['message']?.['maxLength'] !== errorMessageMaxLength) problems.push(`${name} ${status} has an unbounded message`);
      }
    }
    expect(problems).toEqual([]);
    expect(documented).toBeGreaterThan(50);
    expect(
      doc.paths['/api/devices/{id}/telemetry/latest'].get.responses['404'].content['application/json'].schema.properties.code.enum.sort(),
    ).toEqual(['DeviceNotFound', 'NoReadings']);
  });

  it("documents the device list's attribute filter as a repeatable query parameter with AWS IoT's attribute rules", async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const parameters = doc.paths['/api/devices'].get.parameters as { name: string; in: string; schema: Schema }[];
    const attribute = parameters.find((p) => p.name === 'attribute');
    expect(attribute?.in).toBe('query');
    expect(attribute?.schema).toMatchObject({ type: 'array', minItems: 1, maxItems: deviceListLimits.maxAttributeFilters });
    const item = attribute?.schema['items'] as Schema;
    expect(item['pattern']).toBe(attributeFilterPattern);
    expect(item['maxLength']).toBe(929);
    const items = doc.paths['/api/devices'].get.responses['200'].content['application/json'].schema.properties.items;
    expect(items.items.properties.attributes).toMatchObject({ type: 'object', maxProperties: 50, propertyNames: { maxLength: 128 } });
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
