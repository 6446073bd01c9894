/**
 * What the web app needs to know at run time, served as `/config.json`. The same build runs
 * locally and on AWS; only this document differs, built from the task's environment.
 */
export interface WebRuntimeConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly identityPoolId: string;
  readonly iotWebSocketUrl: string;
  /**
   * Where the browser reaches Cognito. Absent on AWS (the SDK's regional endpoint); set when the
   * task's environment overrides AWS endpoints (`AWS_ENDPOINT_URL`, the SDK's own variable).
   */
  readonly cognitoEndpoint?: string;
}

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
