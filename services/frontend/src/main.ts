/** Composition root of the Frontend service: the only place reading the environment. */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { exitGracefullyOnSignal } from '@fleet/core/process';
import { createFrontendApp } from './app.ts';
import { runtimeConfigFromEnv } from './runtime-config.ts';

const log = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: 'frontend' } });
const { config, problems } = runtimeConfigFromEnv(process.env);
const port = Number(process.env.PORT ?? 3001);
if (problems.length > 0 || !Number.isInteger(port)) {
  log.fatal(
    { problems: [...problems, ...(Number.isInteger(port) ? [] : [`PORT "${process.env.PORT}" is not a port`])] },
    'invalid configuration',
  );
  process.exit(2);
}
const webRoot = process.env.WEB_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'web');
const app = await createFrontendApp({ webRoot, runtimeConfig: config, logger: log });
await app.listen({ port, host: process.env.HOST ?? '0.0.0.0' });
exitGracefullyOnSignal({ log, drain: () => app.close(), timeoutMs: 10_000 });
