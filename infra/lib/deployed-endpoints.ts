/**
 * Turns the outputs of a deployed Fleet (`cdk deploy --outputs-file cdk-outputs.json`) into the
 * endpoints file its clients read (the simulator, e2e, bench): core's `EndpointsFileSchema`, the
 * schema `npm start` writes the local cloud's file in.
 */
import { iotHttpsPublishPort } from '@fleet/core';
import type { EndpointsFile } from '@fleet/core/endpoints-file';

/** `cdk deploy --outputs-file` format: stack name → output key → value. */
export type StackOutputs = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Amazon Root CA 1 signs the ATS IoT endpoints: https://docs.aws.amazon.com/iot/latest/developerguide/server-authentication.html */
export const amazonRootCa1Url = 'https://www.amazontrust.com/repository/AmazonRootCA1.pem';

export function endpointsFromOutputs(outputs: StackOutputs, stackPrefix: string, caFile: string): EndpointsFile {
  const stateful = outputs[`${stackPrefix}-stateful`];
  const platform = outputs[`${stackPrefix}-platform`];
  if (!stateful || !platform) {
    throw new Error(
      `outputs lack stacks ${stackPrefix}-stateful and ${stackPrefix}-platform (have: ${Object.keys(outputs).join(', ') || 'none'})`,
    );
  }
  const get = (stack: Readonly<Record<string, string>>, key: string): string => {
    const value = stack[key];
    if (!value) throw new Error(`deployment outputs lack "${key}"; redeploy with "npm run deploy -w infra"`);
    return value;
  };
  const iotEndpoint = get(platform, 'IotEndpoint');
  return {
    region: get(platform, 'Region'),
    gatewayUrl: get(platform, 'PublicUrl'),
    userPoolId: get(stateful, 'UserPoolId'),
    userPoolClientId: get(stateful, 'UserPoolClientId'),
    identityPoolId: get(stateful, 'IdentityPoolId'),
    mqttHost: iotEndpoint,
    // MQTT over TLS with X.509 client certificates: https://docs.aws.amazon.com/iot/latest/developerguide/protocols.html
    mqttPort: 8883,
    mqttWebSocketUrl: `wss://${iotEndpoint}/mqtt`,
    // HTTPS publish with X.509 client certificates is on the same iot:Data-ATS endpoint, port 8443 (same page).
    iotHttpsPort: iotHttpsPublishPort,
    caFile,
  };
}
