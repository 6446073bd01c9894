/**
 * AWS IoT policy documents, defined once. Policy variables are resolved by IoT Core (and by the
 * local broker) per connection: https://docs.aws.amazon.com/iot/latest/developerguide/iot-policy-variables.html
 */
import { allDevices, type DeviceAccess } from './device-access.ts';
import { topics } from './topics.ts';

export interface IotPolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean>>>>;
}

export interface IotPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly IotPolicyStatement[];
}

export const devicePolicyName = 'fleet-device';
export const browserPolicyName = 'fleet-browser-live';

const thing = '${iot:Connection.Thing.ThingName}';
const identity = '${cognito-identity.amazonaws.com:sub}';
/**
 * The common name of the client certificate's subject: an X.509 certificate policy variable, which
 * AWS IoT resolves over HTTPS as over MQTT
 * (https://docs.aws.amazon.com/iot/latest/developerguide/cert-policy-variables.html).
 */
const certificateCommonName = '${iot:Certificate.Subject.CommonName}';

/** The subject common name of every certificate CreateKeysAndCertificate issues (AWS IoT, and the local CA alike). */
export const generatedCertificateCommonName = 'AWS IoT Certificate';

/**
 * The reserved topics of a device's own shadows (classic and named) and jobs: requests it
 * publishes, answers it receives. AWS's recommended device policies grant them the same way
 * (https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-policy.html): a policy `*`
 * matches any characters, `/` included, so named shadows and every job id are covered.
 */
const ownReservedTopics = [`$aws/things/${thing}/shadow/*`, `$aws/things/${thing}/jobs/*`];

/**
 * A device may connect only with its thing name as client id, while its certificate is attached
 * to that thing, and may only publish its own telemetry and use its own shadows and jobs (its
 * configuration and its commands: there is no other topic from the cloud to a device).
 *
 * HTTPS publish knows no thing: AWS IoT resolves the thing variables "only when a device connects
 * over MQTT or MQTT over the WebSocket protocol"
 * (https://docs.aws.amazon.com/iot/latest/developerguide/thing-policy-variables.html), so the
 * statements above allow nothing over HTTPS. The last statement lets a device publish its
 * telemetry over HTTPS when its certificate's common name is its device id: every certificate the
 * API issues (from the device's CSR, whose CN it checks, or from one of a key it made for the
 * device). CreateKeysAndCertificate's certificates (claim provisioning's `create/json`) are all
 * named "AWS IoT Certificate", no device id (ids have no spaces): for them it matches no device's
 * topic, and the explicit Deny keeps them all off the one topic it would match.
 */
export function devicePolicyDocument(region: string, account: string): IotPolicyDocument {
  const arn = (kind: string, name: string) => `arn:aws:iot:${region}:${account}:${kind}/${name}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: arn('client', thing),
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      },
      {
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: [arn('topic', topics.telemetry(thing)), ...ownReservedTopics.map((t) => arn('topic', t))],
      },
      {
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: ownReservedTopics.map((t) => arn('topicfilter', t)),
      },
      {
        Effect: 'Allow',
        Action: 'iot:Receive',
        Resource: ownReservedTopics.map((t) => arn('topic', t)),
      },
      {
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: arn('topic', topics.telemetry(certificateCommonName)),
      },
      {
        Effect: 'Deny',
        Action: 'iot:Publish',
        Resource: arn('topic', topics.telemetry(generatedCertificateCommonName)),
      },
    ],
  };
}

/**
 * A signed-in browser (a Cognito identity) may connect with its identity id as client id and
 * receive telemetry; it can publish nothing. AWS requires such a policy to be attached to the
 * identity *and* the identity pool role to allow the same actions.
 *
 * Each user has a policy of their own (`browserPolicyNameFor`), shaped by their device access
 * (device-access.ts): every device's telemetry topic, or only the re-published topics of their
 * granted thing groups. The API Service writes a new version whenever the access changes, so a
 * grant taken away reaches a browser already connected without knowing its identity id.
 */
export function browserPolicyDocument(region: string, account: string, access: DeviceAccess = allDevices): IotPolicyDocument {
  const arn = (kind: string, name: string) => `arn:aws:iot:${region}:${account}:${kind}/${name}`;
  const topicsOf = (kind: 'topic' | 'topicfilter') =>
    access.kind === 'all' ? arn(kind, topics.telemetry('*')) : access.groups.map((g) => arn(kind, topics.groupPolicyResource(g)));
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', identity) },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: topicsOf('topicfilter') },
      { Effect: 'Allow', Action: 'iot:Receive', Resource: topicsOf('topic') },
    ],
  };
}

/**
 * The shared browser policy (`browserPolicyName`) that releases before per-user policies attached
 * to every identity. It stays deployed, since AWS IoT refuses to delete a policy still attached
 * (DeleteConflictException), but allows only Connect: attached policies add up, and an identity
 * still holding it must receive nothing through it. Live access detaches it.
 */
export function sharedBrowserPolicyDocument(region: string, account: string): IotPolicyDocument {
  const [connect] = browserPolicyDocument(region, account).Statement;
  return { Version: '2012-10-17', Statement: connect ? [connect] : [] };
}

/** The name of a user's own browser policy (`sub`: the user pool's subject, a UUID). */
export function browserPolicyNameFor(sub: string): string {
  return `${browserPolicyName}-${sub}`;
}

/** A policy document's length as AWS IoT counts it against `deviceAccessLimits.maxPolicyDocumentLength` (no whitespace). */
export function policyDocumentLength(document: IotPolicyDocument): number {
  return JSON.stringify(document).length;
}
