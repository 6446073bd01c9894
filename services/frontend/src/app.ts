/**
 * The Frontend service (ECS service 1, the gateway's default route): serves the built web app,
 * its runtime configuration and a health check. Unknown paths get index.html so that client-side
 * routes (/devices/abc) survive a reload.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bodyLimits } from '@fleet/core';
import { serviceServerOptions } from '@fleet/core/http';
import Fastify from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Logger } from 'pino';
import type { WebRuntimeConfig } from './runtime-config.ts';

export interface FrontendOptions {
  /** Folder of the Vite build (index.html + assets/). */
  readonly webRoot: string;
  readonly runtimeConfig: WebRuntimeConfig;
  readonly logger?: Logger | boolean;
}

export async function createFrontendApp(options: FrontendOptions) {
  const app = Fastify({
    loggerInstance: typeof options.logger === 'object' ? options.logger : undefined,
    logger: options.logger === true,
    // Fleet's HTTP server and error answers; files and config only, so no route takes a body.
    ...serviceServerOptions({ bodyLimit: bodyLimits.none }),
  });
  const indexHtml = await readFile(join(options.webRoot, 'index.html'), 'utf8').catch((err: unknown) => {
    throw new Error(`the web app is not built: ${join(options.webRoot, 'index.html')} is missing (run npm run build -w @fleet/frontend)`, {
      cause: err,
    });
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/config.json', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return options.runtimeConfig;
  });
  await app.register(fastifyStatic, {
    root: options.webRoot,
    wildcard: false,
    index: false,
    cacheControl: false,
  });
  // Vite names assets by content hash: cache them for a year at the CDN and in the browser.
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/assets/') && reply.statusCode === 200) reply.header('cache-control', 'public, max-age=31536000, immutable');
  });
  app.setNotFoundHandler((req, reply) => {
    if (req.method !== 'GET' || req.url.startsWith('/assets/'))
      return reply.code(404).send({ code: 'NotFound', message: `no ${req.method} ${req.url}` });
    return reply.header('cache-control', 'no-cache').type('text/html').send(indexHtml);
  });
  return app;
}
