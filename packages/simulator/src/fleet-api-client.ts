/**
 * A small client of Fleet's public surface: Cognito sign-in and the REST API behind the gateway.
 * The simulator, the end-to-end tests and the benchmark all go through it, as a user would.
 */
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type {
  CommandExecutionPage,
  CommandSent,
  DataJob,
  DataJobInput,
  DeviceCommand,
  DeviceConfig,
  DeviceConfigChange,
  DeviceView,
  DeviceCredentials,
  RawReadingsPage,
  Role,
} from '@fleet/core';
import { telemetryQueryLimits } from '@fleet/core';
import type { EndpointsFile } from '@fleet/core/endpoints-file';

export interface Tokens {
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken?: string;
}

export interface RegisteredDevice {
  readonly device: Pick<DeviceView, 'deviceId' | 'name' | 'certificateArn' | 'certificateId' | 'createdAt'>;
  readonly credentials: DeviceCredentials;
}

export class FleetApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} answered ${status}: ${JSON.stringify(body)}`);
  }
}

export function cognitoClient(endpoints: EndpointsFile, credentials?: { accessKeyId: string; secretAccessKey: string }) {
  return new CognitoIdentityProviderClient({
    region: endpoints.region,
    ...(endpoints.awsEndpoint ? { endpoint: endpoints.awsEndpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
}

export async function signIn(endpoints: EndpointsFile, email: string, password: string): Promise<Tokens> {
  const client = cognitoClient(endpoints);
  try {
    const out = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: endpoints.userPoolClientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    const result = out.AuthenticationResult;
    if (!result?.AccessToken || !result.IdToken)
      throw new Error(`sign-in of ${email} returned no tokens (challenge: ${out.ChallengeName ?? 'none'})`);
    return { accessToken: result.AccessToken, idToken: result.IdToken, refreshToken: result.RefreshToken };
  } finally {
    client.destroy();
  }
}

/**
 * Signs a user up and confirms the sign-up with administrator credentials, as the confirmation
 * mail would: the local cloud's root credentials, or on AWS the caller's own (the SDK's default
 * chain, when `admin.credentials` is absent). With `role`, the same credentials put the user in
 * that role's group (a self-signed-up user is otherwise a viewer).
 */
export async function signUp(
  endpoints: EndpointsFile,
  email: string,
  password: string,
  admin: { credentials?: { accessKeyId: string; secretAccessKey: string }; role?: Role },
): Promise<void> {
  const client = cognitoClient(endpoints, admin.credentials);
  try {
    await client.send(
      new SignUpCommand({
        ClientId: endpoints.userPoolClientId,
        Username: email,
        Password: password,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    await client.send(new AdminConfirmSignUpCommand({ UserPoolId: endpoints.userPoolId, Username: email }));
    if (admin.role) {
      await client.send(new AdminAddUserToGroupCommand({ UserPoolId: endpoints.userPoolId, Username: email, GroupName: admin.role }));
    }
  } finally {
    client.destroy();
  }
}

export function createFleetApi(endpoints: EndpointsFile, tokens: Tokens) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, endpoints.gatewayUrl), {
      method,
      headers: { authorization: `Bearer ${tokens.accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new FleetApiError(res.status, parsed, `${method} ${path}`);
    return parsed as T;
  }
  return {
    call,
    /** With `certificateSigningRequest` the device keeps its key: the answer carries none. */
    registerDevice: (name: string, deviceId?: string, certificateSigningRequest?: string) =>
      call<RegisteredDevice>('POST', '/api/devices', {
        name,
        ...(deviceId ? { deviceId } : {}),
        ...(certificateSigningRequest ? { certificateSigningRequest } : {}),
      }),
    getDevice: (deviceId: string) => call<Record<string, unknown>>('GET', `/api/devices/${encodeURIComponent(deviceId)}`),
    deleteDevice: (deviceId: string) => call<unknown>('DELETE', `/api/devices/${encodeURIComponent(deviceId)}`),
    config: (deviceId: string) => call<DeviceConfig>('GET', `/api/devices/${encodeURIComponent(deviceId)}/config`),
    changeConfig: (deviceId: string, change: DeviceConfigChange) =>
      call<DeviceConfig>('PUT', `/api/devices/${encodeURIComponent(deviceId)}/config`, change),
    sendCommand: (deviceId: string, command: DeviceCommand) =>
      call<CommandSent>('POST', `/api/devices/${encodeURIComponent(deviceId)}/commands`, command),
    commands: (deviceId: string) => call<CommandExecutionPage>('GET', `/api/devices/${encodeURIComponent(deviceId)}/commands`),
    createDataJob: (input: DataJobInput) => call<DataJob>('POST', '/api/data-jobs', input),
    startDataJob: (id: string) => call<DataJob>('POST', `/api/data-jobs/${encodeURIComponent(id)}/start`),
    dataJob: (id: string) => call<DataJob>('GET', `/api/data-jobs/${encodeURIComponent(id)}`),
    /** One page of a device's stored readings with `from` ≤ ts ≤ `to`, ordered by (ts, seq). */
    rawReadings: (deviceId: string, range: { from: number; to: number; cursor?: string }) =>
      call<RawReadingsPage>(
        'GET',
        `/api/devices/${encodeURIComponent(deviceId)}/telemetry/raw?from=${range.from}&to=${range.to}&limit=${telemetryQueryLimits.maxRawLimit}${
          range.cursor ? `&cursor=${encodeURIComponent(range.cursor)}` : ''
        }`,
      ),
  };
}

export type FleetApi = ReturnType<typeof createFleetApi>;
