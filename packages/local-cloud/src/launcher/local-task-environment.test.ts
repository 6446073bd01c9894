import { describe, expect, it } from 'vitest';
import { loadConfig, serviceConfigSchemas, services, variableNames } from '@fleet/core';
import { localReferences as references } from '@fleet/core/testing';
import { localTaskEnvironment, sdkCredentialVariables } from './local-task-environment.ts';

describe('a service task run by the launcher', () => {
  for (const service of services) {
    it(`${service.name}: gets only variables its schema reads, besides the SDK's credentials, and accepts them`, () => {
      const environment = localTaskEnvironment({
        service: service.name,
        references,
        port: 3200 + service.index,
        host: '127.0.0.1',
        logLevel: 'warn',
        awsEndpoint: 'http://127.0.0.1:4700',
        credentials: { accessKeyId: `LKIA${service.name.toUpperCase()}`, secretAccessKey: 'secret' },
        dataServiceTuning: { flushSpacingMs: 100 },
      });
      const schema = serviceConfigSchemas[service.name];
      const known = [...variableNames(schema), ...sdkCredentialVariables];
      expect(Object.keys(environment).filter((name) => !known.includes(name))).toEqual([]);
      expect(environment['AWS_ACCESS_KEY_ID']).toBe(`LKIA${service.name.toUpperCase()}`);
      expect(loadConfig(schema, environment)).toMatchObject({
        ok: true,
        config: { port: 3200 + service.index, host: '127.0.0.1', logLevel: 'warn', awsEndpointUrl: 'http://127.0.0.1:4700' },
      });
      // --ingest-flush-spacing reaches the Data Service alone (the other schemas do not read it).
      expect(environment['INGEST_FLUSH_SPACING_MS']).toBe(service.name === 'data' ? '100' : undefined);
    });
  }
});
