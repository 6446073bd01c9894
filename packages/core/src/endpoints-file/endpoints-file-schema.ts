/**
 * `endpoints.json`: where a Fleet installation answers, for its clients (the simulator, the e2e
 * tests, the benchmark, people with the AWS CLI or mosquitto). Two writers: `npm start` writes
 * `<data>/endpoints.json` for the local cloud; `npm run endpoints -w infra` writes a deployed stack's
 * from its CloudFormation outputs. One schema for both: the fields every client needs are required,
 * the local cloud's own fields are optional here and required in `LocalEndpointsFileSchema`.
 * Unknown fields are allowed, so that a newer writer's file still serves an older client.
 */
import { Type, type Static } from 'typebox';

const name = (description: string) => Type.String({ minLength: 1, description });
const urlOf = (schemes: string, description: string) => Type.String({ pattern: `^(${schemes})://[^\\s]+$`, description });

/** What every client needs, locally and on AWS. */
const clientFields = {
  region: name('AWS region of every resource (`us-east-1` locally).'),
  gatewayUrl: urlOf('https?', 'The product URL: the local gateway, or CloudFront (the custom domain when there is one).'),
  userPoolId: name('Cognito user pool of the users.'),
  userPoolClientId: name("The user pool's app client, for sign-in."),
  identityPoolId: name('Cognito identity pool that gives signed-in browsers credentials for live data.'),
  mqttHost: name('Host of the IoT data endpoint (MQTT over TLS with device certificates).'),
  mqttPort: Type.Integer({ minimum: 1, maximum: 65_535, description: 'Its MQTT over TLS port (8883 on AWS IoT).' }),
  mqttWebSocketUrl: urlOf('wss?', "IoT Core's MQTT over WebSocket URL (SigV4-signed by browsers)."),
  claim: Type.Optional(
    Type.Object(
      {
        templateName: name('The fleet provisioning template devices register with.'),
        certificateFile: name('The claim certificate (PEM file).'),
        privateKeyFile: name('Its private key (PEM file, mode 0600).'),
      },
      { description: 'Fleet provisioning by claim: written by `npm start`; on AWS the operator creates the claim certificate.' },
    ),
  ),
  iotHttpsPort: Type.Integer({
    minimum: 1,
    maximum: 65_535,
    description:
      'The HTTPS publish port of the IoT data endpoint (`mqttHost`), device certificates: `POST /topics/<topic>` (8443 on AWS IoT).',
  }),
};

/** The local cloud's own fields: what `npm start` also knows (optional in a deployed stack's file). */
const localFields = {
  caFile: name(
    "CA certificate (PEM file) that signs the MQTT endpoint's server certificate: the local CA. A deployed stack's file names Amazon Root CA 1, which the system's trust store holds too.",
  ),
  caUrl: urlOf('https?', 'Where a device downloads that CA (the local AWS port serves it).'),
  credentialsFile: name('Local only: the root and task credentials of the local AWS port (mode 0600).'),
  accountId: name('Local only: the account id in ARNs (000000000000).'),
  awsEndpoint: urlOf('https?', 'Local only: the one port of every AWS API (AWS_ENDPOINT_URL).'),
  mqttUrl: urlOf('mqtts', 'Local only: the MQTT over TLS endpoint as one URL.'),
  queueUrls: Type.Record(Type.String(), urlOf('https?', 'SQS queue URL'), { description: 'Local only: SQS queue URLs by queue id.' }),
  bucket: name('Local only: the S3 bucket.'),
  tables: Type.Record(Type.String(), name('DynamoDB table name'), { description: 'Local only: DynamoDB table names by table id.' }),
  devicePolicyName: name('Local only: IoT policy of device certificates.'),
  browserPolicyName: name(
    "Local only: the shared browser IoT policy of earlier releases (Connect only); each user's own is `<this>-<sub>`.",
  ),
  services: Type.Record(
    Type.String(),
    Type.Object({
      url: urlOf('https?', "The service's own URL (its load balancer's place)."),
      pid: Type.Optional(Type.Integer({ minimum: 1, description: 'Its process id; absent with --cloud-only.' })),
    }),
    { description: 'Local only: the three ECS services by name.' },
  ),
};

/** Any endpoints file: a deployed stack's or the local cloud's. */
export const EndpointsFileSchema = Type.Object({ ...clientFields, ...Type.Partial(Type.Object(localFields)).properties });

/** The local cloud's endpoints file (`<data>/endpoints.json`): every field present. */
export const LocalEndpointsFileSchema = Type.Object({ ...clientFields, ...localFields });

export type EndpointsFile = Static<typeof EndpointsFileSchema>;
export type LocalEndpointsFile = Static<typeof LocalEndpointsFileSchema>;
