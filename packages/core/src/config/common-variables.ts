/**
 * Variables more than one service reads. Where the AWS SDK reads a variable too, the row says so:
 * the SDK's behaviour is the reason the variable exists, the service only checks it.
 */
import { defaulted, integer, matching, oneOf, optional, text, url, written } from './config-variables.ts';

export const portVariable = written(
  'PORT',
  integer(0, 65_535),
  (_refs, service) => String(service.port),
  'Port the HTTP server listens on: the container port of the task definition (the local launcher passes its --service-ports).',
);

export const regionVariable = written(
  'AWS_REGION',
  text,
  (refs) => refs.region,
  'Region of every AWS resource; the AWS SDK reads it by itself.',
);

/**
 * The SDK's own switch, read by the SDK alone: compute request checksums only where an operation
 * requires one (https://docs.aws.amazon.com/sdkref/latest/guide/feature-dataintegrity.html).
 */
export const requestChecksumVariable = written(
  'AWS_REQUEST_CHECKSUM_CALCULATION',
  oneOf(['WHEN_REQUIRED', 'WHEN_SUPPORTED']),
  () => 'WHEN_REQUIRED',
  "Read by the AWS SDK itself: request checksums only where an operation requires one (S3-compatible endpoints would store a streamed body's aws-chunked framing otherwise).",
);

export const logLevelVariable = defaulted(
  'LOG_LEVEL',
  oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  'info',
  'pino level; the local launcher passes its --log-level. Not set on AWS (the default).',
);

export const hostVariable = defaulted(
  'HOST',
  text,
  '0.0.0.0',
  'Listen address: every interface in a container (the default); the local launcher passes its --host (loopback unless told otherwise).',
);

/** https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html */
export const awsEndpointVariable = optional(
  'AWS_ENDPOINT_URL',
  url(['http', 'https']),
  "Every AWS API's endpoint, read by the AWS SDK itself; set by the local launcher only (the local cloud's AWS port). Cognito's JWKS is served there too.",
);

export const cognitoEndpointVariable = optional(
  'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
  url(['http', 'https']),
  "Cognito user pools' endpoint, read by the AWS SDK itself before AWS_ENDPOINT_URL; never set by the platform, honoured as the SDK honours it.",
);

/** aws-jwt-verify derives the issuer's region from the pool id, so a malformed id can never verify. */
export const userPoolIdVariable = written(
  'USER_POOL_ID',
  matching(/^[a-z]{2}(-[a-z]+)+-\d+_[A-Za-z0-9]+$/, 'us-east-1_AbC123'),
  (refs) => refs.userPoolId,
  'The Cognito user pool whose tokens callers present.',
);

export const userPoolClientIdVariable = written(
  'USER_POOL_CLIENT_ID',
  text,
  (refs) => refs.userPoolClientId,
  "The user pool's app client; access tokens of another client are refused.",
);

export const identityPoolIdVariable = written(
  'IDENTITY_POOL_ID',
  text,
  (refs) => refs.identityPoolId,
  'The Cognito identity pool that gives signed-in browsers credentials for live data over MQTT.',
);

export const devicesTableVariable = written(
  'DEVICES_TABLE',
  text,
  (refs) => refs.devicesTable,
  'DynamoDB table of the device registry; the API Service owns it (docs/adr/0001-table-ownership.md).',
);

export const latestTableVariable = written(
  'LATEST_TABLE',
  text,
  (refs) => refs.latestTable,
  'DynamoDB table of the device state (latest values, presence); the Data Service owns it (docs/adr/0001-table-ownership.md).',
);

/** The IoT data plane's endpoint: the API Service's shadows and commands, the Data Service's group live topics. */
export const iotDataPlaneUrlVariable = written(
  'AWS_ENDPOINT_URL_IOT_DATA_PLANE',
  url(['http', 'https']),
  (refs) => refs.iotDataPlaneUrl,
  "Read by the AWS SDK itself, before AWS_ENDPOINT_URL: the IoT data plane (shadows, Publish) answers only at the account's own iot:Data-ATS endpoint (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).",
);

/** Every service's: where it listens, how it logs, the region and the user pool, the SDK's endpoint overrides. */
export const everyServiceVariables = {
  port: portVariable,
  host: hostVariable,
  logLevel: logLevelVariable,
  region: regionVariable,
  awsEndpointUrl: awsEndpointVariable,
  cognitoEndpointUrl: cognitoEndpointVariable,
  userPoolId: userPoolIdVariable,
  userPoolClientId: userPoolClientIdVariable,
} as const;

/** The services that call AWS APIs with the SDK (API and Data Service). */
export const awsCallerVariables = {
  requestChecksumCalculation: requestChecksumVariable,
} as const;

/**
 * Where the browser and the services reach Cognito: the service-specific endpoint, then the global
 * one, as the SDK resolves it; `undefined` means the public regional endpoint.
 */
export function cognitoEndpoint(config: { readonly awsEndpointUrl?: string; readonly cognitoEndpointUrl?: string }): string | undefined {
  return config.cognitoEndpointUrl ?? config.awsEndpointUrl;
}
