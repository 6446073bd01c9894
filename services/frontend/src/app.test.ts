import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frontendConfigSchema, loadConfig, type Environment } from '@fleet/core';
import { createFrontendApp } from './app.ts';
import { webRuntimeConfig, type WebRuntimeConfig } from './runtime-config.ts';

async function webRoot(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-web-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  return dir;
}

const env = {
  PORT: '3001',
  AWS_REGION: 'us-east-1',
  USER_POOL_ID: 'us-east-1_abc',
  USER_POOL_CLIENT_ID: 'client',
  IDENTITY_POOL_ID: 'us-east-1:pool',
  IOT_WEBSOCKET_URL: 'ws://127.0.0.1:8083/mqtt',
};

/** The web app's runtime configuration as `main.ts` builds it from the task environment. */
function runtimeConfigFrom(environment: Environment): WebRuntimeConfig {
  const loaded = loadConfig(frontendConfigSchema, environment);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('; '));
  return webRuntimeConfig(loaded.config);
}

describe('frontend service', () => {
  it('serves the runtime configuration built from the task environment', async () => {
    const config = runtimeConfigFrom({ ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
    const app = await createFrontendApp({ webRoot: await webRoot(), runtimeConfig: config });
    const res = await app.inject('/config.json');
    expect(res.json()).toEqual({
      ...{ region: 'us-east-1', userPoolId: 'us-east-1_abc', userPoolClientId: 'client' },
      identityPoolId: 'us-east-1:pool',
      iotWebSocketUrl: 'ws://127.0.0.1:8083/mqtt',
      cognitoEndpoint: 'http://127.0.0.1:4566',
    });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('reports every missing variable at once', () => {
    expect(() => runtimeConfigFrom({ PORT: '3001', AWS_REGION: 'us-east-1' })).toThrow(
      /^USER_POOL_ID: received nothing.*; USER_POOL_CLIENT_ID: received nothing.*; IDENTITY_POOL_ID: received nothing.*; IOT_WEBSOCKET_URL: received nothing/,
    );
  });

  it('has no Cognito endpoint override on AWS', () => {
    expect(runtimeConfigFrom(env).cognitoEndpoint).toBeUndefined();
  });

  it('prefers the SDK variable of Cognito over the global endpoint, as the SDK does', () => {
    const both = { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9229' };
    expect(runtimeConfigFrom(both).cognitoEndpoint).toBe('http://127.0.0.1:9229');
  });

  it('answers client-side routes with index.html and caches hashed assets for a year', async () => {
    const app = await createFrontendApp({ webRoot: await webRoot(), runtimeConfig: runtimeConfigFrom(env) });
    const page = await app.inject('/devices/sim-0001');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="root">');
    const asset = await app.inject('/assets/app-1234.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject('/assets/missing.js')).statusCode).toBe(404);
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
  });

  it('fails with a clear message when the web app is not built', async () => {
    await expect(createFrontendApp({ webRoot: join(tmpdir(), 'nope-fleet'), runtimeConfig: runtimeConfigFrom(env) })).rejects.toThrow(
      /not built/,
    );
  });
});
