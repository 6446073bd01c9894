/**
 * What the web app needs to know at run time, served as `/config.json`. The same build runs
 * locally and on AWS; only this document differs, built from the task's environment. Cognito's
 * endpoint is overridden only where the task's environment overrides AWS endpoints
 * (`AWS_ENDPOINT_URL`, the SDK's own variable).
 */
import type { WebRuntimeConfig } from '@fleet/core';

export type { WebRuntimeConfig };

export function runtimeConfigFromEnv(env: NodeJS.ProcessEnv): { config: WebRuntimeConfig; problems: string[] } {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const config: WebRuntimeConfig = {
    region: required('AWS_REGION'),
    userPoolId: required('USER_POOL_ID'),
    userPoolClientId: required('USER_POOL_CLIENT_ID'),
    identityPoolId: required('IDENTITY_POOL_ID'),
    iotWebSocketUrl: required('IOT_WEBSOCKET_URL'),
    ...(env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER || env.AWS_ENDPOINT_URL
      ? { cognitoEndpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER ?? env.AWS_ENDPOINT_URL }
      : {}),
  };
  return { config, problems };
}
