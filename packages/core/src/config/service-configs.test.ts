import { describe, expect, it } from 'vitest';
import { cognitoJwksUrl } from '../tokens/token-verifier.ts';
import { serviceEnvironment } from '../service-environment.ts';
import { localReferences as localRefs } from '../testing/local-references.ts';
import { services } from '../services.ts';
import { loadConfig, variableNames, type Environment } from './load-config.ts';
import { apiConfigSchema, dataServiceConfigSchema, readFlushSpacing, serviceConfigSchemas } from './service-configs.ts';

/**
 * The variables a service reads that the platform does not set. Each is optional with a documented
 * default or meaning; adding one to a schema is a decision this list makes visible.
 */
const notWrittenByThePlatform = {
  common: ['HOST', 'LOG_LEVEL', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER'],
  frontend: ['WEB_ROOT'],
  // LOCAL_MAILBOX_URL: the local launcher's addition, like AWS_ENDPOINT_URL (only the local cloud has a mailbox).
  api: ['DEFAULT_ROLE', 'LOCAL_MAILBOX_URL'],
  data: ['INGEST_RECEIVERS', 'INGEST_FLUSH_SPACING_MS', 'METRICS_FLUSH_MS', 'ALARM_SWEEP_MS'],
} as const;

describe('serviceEnvironment and the service configuration schemas', () => {
  for (const service of services) {
    const schema = serviceConfigSchemas[service.name];

    it(`${service.name}: every variable the platform writes is read by the service's schema`, () => {
      const writtenNames = Object.keys(serviceEnvironment(service.name, localRefs));
      expect(writtenNames.filter((name) => !variableNames(schema).includes(name))).toEqual([]);
    });

    it(`${service.name}: every variable the schema reads is written by the platform, except the documented optional ones`, () => {
      const writtenNames = Object.keys(serviceEnvironment(service.name, localRefs));
      const unwritten = Object.values(schema).filter((v) => !writtenNames.includes(v.name));
      expect(unwritten.map((v) => v.name).sort()).toEqual(
        [...notWrittenByThePlatform.common, ...notWrittenByThePlatform[service.name]].sort(),
      );
      for (const variable of unwritten) {
        expect(variable.kind, variable.name).not.toBe('written');
        expect(variable.description.length, variable.name).toBeGreaterThan(20);
      }
    });

    it(`${service.name}: the service accepts what the platform writes, value for value`, () => {
      const environment = serviceEnvironment(service.name, localRefs);
      const loaded = loadConfig(schema, environment);
      expect(loaded).toMatchObject({ ok: true });
      if (!loaded.ok) return;
      const config: Readonly<Record<string, unknown>> = loaded.config;
      for (const [key, variable] of Object.entries(schema)) {
        if (variable.kind === 'written') expect(String(config[key]), variable.name).toBe(environment[variable.name]);
      }
      expect(config['port']).toBe(service.port);
    });
  }

  it('sets no variable that nothing reads (NODE_ENV, PUBLIC_URL), and no SDK setting for the frontend, which calls no AWS API', () => {
    const all = services.flatMap((s) => Object.keys(serviceEnvironment(s.name, localRefs)));
    expect(all).not.toContain('NODE_ENV');
    expect(all).not.toContain('PUBLIC_URL');
    expect(Object.keys(serviceEnvironment('frontend', localRefs))).not.toContain('AWS_REQUEST_CHECKSUM_CALCULATION');
  });
});

describe('the Data Service configuration', () => {
  const valid: Environment = serviceEnvironment('data', localRefs);

  it('reads the service environment with defaults for tuning', () => {
    const loaded = loadConfig(dataServiceConfigSchema, valid);
    expect(loaded).toMatchObject({
      ok: true,
      config: {
        port: 3003,
        host: '0.0.0.0',
        telemetryTable: 'fleet-telemetry',
        ingestDeadLetterQueueUrl: 'http://127.0.0.1:4566/000000000000/fleet-ingest-dlq',
        receivers: 4,
        flushSpacingMs: 250,
        metricsFlushMs: 10_000,
        logLevel: 'info',
        userPoolId: 'us-east-1_AbC123',
      },
    });
    if (!loaded.ok) return;
    expect(cognitoJwksUrl(loaded.config)).toBe('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/.well-known/jwks.json');
    // Locally the JWKS is where every other AWS API is.
    const local = loadConfig(dataServiceConfigSchema, { ...valid, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
    expect(local.ok && cognitoJwksUrl(local.config)).toBe('http://127.0.0.1:4566/us-east-1_AbC123/.well-known/jwks.json');
  });

  it('reports every problem at once', () => {
    const result = loadConfig(dataServiceConfigSchema, {
      ...valid,
      PORT: undefined,
      BUCKET_NAME: '',
      INGEST_RECEIVERS: '0',
      INGEST_QUEUE_URL: 'fleet-ingest',
      USER_POOL_ID: undefined,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^PORT: received nothing \(not set\), expected an integer from 0 to 65535/),
      expect.stringMatching(/^USER_POOL_ID: received nothing \(not set\), expected text like "us-east-1_AbC123"/),
      expect.stringMatching(/^BUCKET_NAME: received "", expected a non-empty string/),
      expect.stringMatching(/^INGEST_QUEUE_URL: received "fleet-ingest", expected an absolute http or https URL/),
      'INGEST_RECEIVERS: received "0", expected an integer from 1 to 32',
    ]);
  });
});

describe("the Data Service's tuning, as npm start and the CDK app read and write it", () => {
  it('reads a flush spacing by the rule of the Data Service itself, and writes it where the service reads it', () => {
    expect(readFlushSpacing('--ingest-flush-spacing', '100')).toEqual({ value: 100 });
    expect(readFlushSpacing('--ingest-flush-spacing', ' 0 ')).toEqual({ value: 0 });
    expect(readFlushSpacing('--ingest-flush-spacing', undefined)).toEqual({});
    expect(readFlushSpacing('--ingest-flush-spacing', '')).toEqual({});
    expect(readFlushSpacing('context "ingestFlushSpacingMs"', '6000')).toEqual({
      problem: 'context "ingestFlushSpacingMs" must be an integer from 0 to 5000 (milliseconds), received "6000"',
    });
    expect(readFlushSpacing('--ingest-flush-spacing', 'soon').problem).toMatch(/received "soon"/);

    const environment = serviceEnvironment('data', localRefs, { flushSpacingMs: 100 });
    expect(environment['INGEST_FLUSH_SPACING_MS']).toBe('100');
    expect(loadConfig(dataServiceConfigSchema, environment)).toMatchObject({ ok: true, config: { flushSpacingMs: 100 } });
    // Left at its default, nothing is written; and only the Data Service reads it.
    expect(Object.keys(serviceEnvironment('data', localRefs))).not.toContain('INGEST_FLUSH_SPACING_MS');
    expect(Object.keys(serviceEnvironment('api', localRefs, { flushSpacingMs: 100 }))).not.toContain('INGEST_FLUSH_SPACING_MS');
  });
});

describe('the API Service configuration', () => {
  const env: Environment = { ...serviceEnvironment('api', localRefs), DATA_SERVICE_URL: 'http://127.0.0.1:3003/' };

  it('reads a complete environment; the Data Service URL loses its trailing slash', () => {
    expect(loadConfig(apiConfigSchema, env)).toMatchObject({
      ok: true,
      config: { port: 3002, iotMqttPort: 8883, platformStateTable: 'fleet-platform-state', dataServiceUrl: 'http://127.0.0.1:3003' },
    });
  });

  it('accepts DEFAULT_ROLE=viewer, the only role a user in no group can have', () => {
    expect(loadConfig(apiConfigSchema, { ...env, DEFAULT_ROLE: 'viewer' }).ok).toBe(true);
    expect(loadConfig(apiConfigSchema, { ...env, DEFAULT_ROLE: 'operator' }).ok).toBe(false);
  });

  it('reports every problem at once', () => {
    const result = loadConfig(apiConfigSchema, {
      ...env,
      PORT: 'eighty',
      DEVICES_TABLE: '',
      USER_POOL_ID: 'pool',
      DEFAULT_ROLE: 'root',
      IOT_ENDPOINT: undefined,
      IOT_MQTT_PORT: '88830',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.message)).toEqual([
      'PORT: received "eighty", expected an integer from 0 to 65535',
      'USER_POOL_ID: received "pool", expected text like "us-east-1_AbC123"',
      expect.stringMatching(/^DEVICES_TABLE: received "", expected a non-empty string \(required/),
      expect.stringMatching(/^IOT_ENDPOINT: received nothing \(not set\), expected a non-empty string \(required/),
      'IOT_MQTT_PORT: received "88830", expected an integer from 1 to 65535',
      'DEFAULT_ROLE: received "root", expected "viewer": DEFAULT_ROLE is retired, a user in no group is a viewer and admins grant roles (PUT /api/users/<username>/role)',
    ]);
  });
});
