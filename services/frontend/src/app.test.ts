import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFrontendApp } from './app.ts';
import { runtimeConfigFromEnv } from './runtime-config.ts';

async function webRoot(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-web-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  return dir;
}

const env = {
  AWS_REGION: 'us-east-1',
  USER_POOL_ID: 'us-east-1_abc',
  USER_POOL_CLIENT_ID: 'client',
  IDENTITY_POOL_ID: 'us-east-1:pool',
  IOT_WEBSOCKET_URL: 'ws://127.0.0.1:8083/mqtt',
};

describe('frontend service', () => {
  it('serves the runtime configuration built from the task environment', async () => {
    const { config, problems } = runtimeConfigFromEnv({ ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
    expect(problems).toEqual([]);
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
    expect(runtimeConfigFromEnv({ AWS_REGION: 'us-east-1' }).problems).toEqual([
      'USER_POOL_ID is not set',
      'USER_POOL_CLIENT_ID is not set',
      'IDENTITY_POOL_ID is not set',
      'IOT_WEBSOCKET_URL is not set',
    ]);
  });

  it('has no Cognito endpoint override on AWS', () => {
    expect(runtimeConfigFromEnv(env).config.cognitoEndpoint).toBeUndefined();
  });

  it('answers client-side routes with index.html and caches hashed assets for a year', async () => {
    const app = await createFrontendApp({ webRoot: await webRoot(), runtimeConfig: runtimeConfigFromEnv(env).config });
    const page = await app.inject('/devices/sim-0001');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="root">');
    const asset = await app.inject('/assets/app-1234.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject('/assets/missing.js')).statusCode).toBe(404);
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
  });

  it('fails with a clear message when the web app is not built', async () => {
    await expect(
      createFrontendApp({ webRoot: join(tmpdir(), 'nope-fleet'), runtimeConfig: runtimeConfigFromEnv(env).config }),
    ).rejects.toThrow(/not built/);
  });
});
