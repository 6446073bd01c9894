/**
 * Where a Fleet installation answers. `npm start` writes `.fleet/endpoints.json` in this shape;
 * for a deployed stack, write the same keys from the CDK outputs (see infra/README.md).
 */
import { readFile } from 'node:fs/promises';

export interface FleetEndpoints {
  readonly region: string;
  /** Public URL: the local gateway or the CloudFront distribution. */
  readonly gatewayUrl: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly identityPoolId?: string;
  /** Local cloud only: the AWS endpoint (Cognito is reached there). Absent on AWS. */
  readonly awsEndpoint?: string;
  /** Local cloud only: root credentials file, used to create the simulator's user. */
  readonly credentialsFile?: string;
  readonly mqttHost: string;
  readonly mqttPort: number;
  readonly mqttWebSocketUrl?: string;
  /** CA certificate file that signs the MQTT server certificate. */
  readonly caFile: string;
}

export async function readFleetEndpoints(file: string): Promise<FleetEndpoints> {
  let parsed: Partial<FleetEndpoints>;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<FleetEndpoints>;
  } catch (err) {
    throw new Error(`cannot read Fleet endpoints from ${file}: is Fleet running (npm start)?`, { cause: err });
  }
  const missing = (['region', 'gatewayUrl', 'userPoolId', 'userPoolClientId', 'mqttHost', 'mqttPort', 'caFile'] as const).filter(
    (k) => parsed[k] === undefined,
  );
  if (missing.length > 0) throw new Error(`${file} lacks ${missing.join(', ')}`);
  return parsed as FleetEndpoints;
}
