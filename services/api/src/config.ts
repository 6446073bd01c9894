/**
 * The API Service's configuration, read from the environment that `serviceEnvironment('api', …)`
 * builds (ECS task definition on AWS, the local launcher locally). Validated once, at start-up,
 * reporting every problem together so that a misconfigured task fails with one readable message.
 */
import { cognitoJwksUrl } from '@fleet/core/tokens';

export interface ApiConfig {
  readonly region: string;
  readonly port: number;
  readonly devicesTable: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly identityPoolId: string;
  /** Host name of the account's IoT data endpoint (iot:Data-ATS), resolved at deploy time. */
  readonly iotEndpoint: string;
  /** Port devices connect to over MQTT/TLS (8883 on AWS IoT). */
  readonly iotMqttPort: number;
  readonly iotCaUrl: string;
  readonly devicePolicyName: string;
  readonly browserPolicyName: string;
  /** Base URL of the Data Service (load balancer 3), without a trailing slash. */
  readonly dataServiceUrl: string;
  /** Table of platform-wide facts, e.g. who became the first admin (see first-admin.ts). */
  readonly platformStateTable: string;
  /** Where the user pool's JWKS is fetched from. */
  readonly jwksUrl: string;
}

export type ConfigResult = { readonly ok: true; readonly config: ApiConfig } | { readonly ok: false; readonly problems: readonly string[] };

const required = [
  'AWS_REGION',
  'PORT',
  'DEVICES_TABLE',
  'USER_POOL_ID',
  'USER_POOL_CLIENT_ID',
  'IDENTITY_POOL_ID',
  'IOT_ENDPOINT',
  'IOT_MQTT_PORT',
  'IOT_CA_URL',
  'DEVICE_POLICY_NAME',
  'BROWSER_POLICY_NAME',
  'DATA_SERVICE_URL',
  'PLATFORM_STATE_TABLE',
] as const;

/** Reads and checks the environment; never throws. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const problems: string[] = [];
  const v = {} as Record<(typeof required)[number], string>;
  for (const name of required) {
    v[name] = env[name]?.trim() ?? '';
    if (!v[name]) problems.push(`${name} is missing or empty`);
  }
  const port = Number(v.PORT);
  if (v.PORT && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    problems.push(`PORT must be an integer between 0 and 65535, received ${JSON.stringify(v.PORT)}`);
  }
  // aws-jwt-verify derives the issuer's region from the pool id, so a malformed id can never verify.
  if (v.USER_POOL_ID && !/^[a-z]{2}(-[a-z]+)+-\d+_[A-Za-z0-9]+$/.test(v.USER_POOL_ID)) {
    problems.push(`USER_POOL_ID must look like "<region>_<id>" (e.g. us-east-1_AbC123), received ${JSON.stringify(v.USER_POOL_ID)}`);
  }
  if (v.DATA_SERVICE_URL && !URL.canParse(v.DATA_SERVICE_URL)) {
    problems.push(`DATA_SERVICE_URL must be an absolute URL, received ${JSON.stringify(v.DATA_SERVICE_URL)}`);
  }
  // A user in no group is a viewer (core's leastRole). The old switch that could make every
  // self-signed-up user an operator is gone; a task still setting it to more fails loudly.
  const defaultRole = env['DEFAULT_ROLE']?.trim();
  if (defaultRole && defaultRole !== 'viewer') {
    problems.push(
      `DEFAULT_ROLE is no longer supported, received ${JSON.stringify(defaultRole)}: a user in no group is a viewer; admins grant roles (PUT /api/users/<username>/role)`,
    );
  }
  const iotMqttPort = Number(v.IOT_MQTT_PORT);
  if (v.IOT_MQTT_PORT && !(Number.isInteger(iotMqttPort) && iotMqttPort >= 1 && iotMqttPort <= 65_535)) {
    problems.push(`IOT_MQTT_PORT must be an integer between 1 and 65535, received ${JSON.stringify(v.IOT_MQTT_PORT)}`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      region: v.AWS_REGION,
      port,
      devicesTable: v.DEVICES_TABLE,
      userPoolId: v.USER_POOL_ID,
      userPoolClientId: v.USER_POOL_CLIENT_ID,
      identityPoolId: v.IDENTITY_POOL_ID,
      iotEndpoint: v.IOT_ENDPOINT,
      iotMqttPort,
      iotCaUrl: v.IOT_CA_URL,
      devicePolicyName: v.DEVICE_POLICY_NAME,
      browserPolicyName: v.BROWSER_POLICY_NAME,
      dataServiceUrl: v.DATA_SERVICE_URL.replace(/\/+$/, ''),
      platformStateTable: v.PLATFORM_STATE_TABLE,
      jwksUrl: cognitoJwksUrl(env, v.AWS_REGION, v.USER_POOL_ID),
    },
  };
}
