/** Composition root of the Frontend service: the only place reading the environment. */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { describeConfigProblems, frontendConfigSchema, loadConfig } from '@fleet/core';
import { exitGracefullyOnSignal } from '@fleet/core/process';
import { createFrontendApp } from './app.ts';
import { webRuntimeConfig } from './runtime-config.ts';

const loaded = loadConfig(frontendConfigSchema, process.env);
const log = pino({ level: loaded.ok ? loaded.config.logLevel : 'info', base: { service: 'frontend' } });
if (!loaded.ok) {
  log.fatal({ problems: loaded.problems.map((p) => p.message) }, `invalid configuration:\n${describeConfigProblems(loaded.problems)}`);
  process.exit(2);
}
const config = loaded.config;
const webRoot = config.webRoot ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'web');
const app = await createFrontendApp({ webRoot, runtimeConfig: webRuntimeConfig(config), logger: log });
await app.listen({ port: config.port, host: config.host });
exitGracefullyOnSignal({ log, drain: () => app.close(), timeoutMs: 10_000 });
