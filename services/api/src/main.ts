/**
 * Composition root of the API Service (ECS service 2): the only place that reads `process.env`.
 * Validates the configuration (all problems at once), builds the real AWS clients and the token
 * verifier, listens on PORT and shuts down gracefully on SIGTERM (ECS stops tasks with SIGTERM,
 * then SIGKILL after the stop timeout).
 */
import { pino } from 'pino';
import { apiConfigSchema, describeConfigProblems, loadConfig } from '@fleet/core';
import { buildApp } from './app.ts';
import { exitGracefullyOnSignal } from '@fleet/core/process';
import { cognitoJwksUrl, fetchJwks, createTokenVerifier } from '@fleet/core/tokens';
import { createAwsClients } from './aws-clients.ts';

const parsed = loadConfig(apiConfigSchema, process.env);
const logger = pino({ name: 'api', level: parsed.ok ? parsed.config.logLevel : 'info' });

async function main(): Promise<void> {
  if (!parsed.ok) {
    logger.fatal({ problems: parsed.problems.map((p) => p.message) }, `invalid configuration:\n${describeConfigProblems(parsed.problems)}`);
    process.exitCode = 1;
    return;
  }
  const { config } = parsed;
  const clients = createAwsClients(config.region);
  const verifier = createTokenVerifier({
    userPoolId: config.userPoolId,
    clientId: config.userPoolClientId,
    loadJwks: () => fetchJwks(cognitoJwksUrl(config)),
    logger,
  });
  const app = await buildApp({ config, clients, verifier, logger });

  exitGracefullyOnSignal({
    log: logger,
    // Fastify stops accepting connections and waits for in-flight requests.
    drain: async () => {
      await app.close();
      clients.destroy();
    },
    timeoutMs: 10_000,
  });

  // Every interface in a container (ECS); the local launcher passes its --host (loopback by default).
  await app.listen({ port: config.port, host: config.host });
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'API Service failed to start');
  process.exit(1);
});
