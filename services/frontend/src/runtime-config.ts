/**
 * What the web app needs to know at run time, served as `/config.json`. The same build runs
 * locally and on AWS; only this document differs, built from the service's configuration
 * (`frontendConfigSchema`, read once by `main.ts`). Cognito's endpoint is overridden only where the
 * task's environment overrides AWS endpoints (`AWS_ENDPOINT_URL`, the SDK's own variable).
 */
import { cognitoEndpoint, type FrontendConfig, type WebRuntimeConfig } from '@fleet/core';

export type { WebRuntimeConfig };

export function webRuntimeConfig(config: FrontendConfig): WebRuntimeConfig {
  const endpoint = cognitoEndpoint(config);
  return {
    region: config.region,
    userPoolId: config.userPoolId,
    userPoolClientId: config.userPoolClientId,
    identityPoolId: config.identityPoolId,
    iotWebSocketUrl: config.iotWebSocketUrl,
    ...(endpoint ? { cognitoEndpoint: endpoint } : {}),
  };
}
