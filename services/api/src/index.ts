/** The API Service's public surface, for the launcher, e2e tests and the CDK app. */
export { buildApp, type AppConfig, type AppDeps } from './app.ts';
export { createTokenVerifier, fetchJwks, type TokenVerifier, type TokenVerifierOptions } from '@fleet/core/tokens';
export { createAwsClients, type ApiClients } from './aws-clients.ts';
export { createDataServiceClient, type DataServiceClient } from './telemetry/data-service-client.ts';
