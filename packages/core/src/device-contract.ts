/**
 * Devices on the wire. Two services own a part of a device each (docs/adr/0001-table-ownership.md):
 *
 * - the API Service owns the **registry** (`fleet-devices`): who registered it, its name, its
 *   certificate;
 * - the Data Service owns the **state** (`fleet-latest`): presence from AWS IoT lifecycle events
 *   and the latest reading, answered for many devices in one call (`GET /data/device-states`).
 *
 * The API joins them into the **device view** the web app shows.
 */
import { Type, type Static } from 'typebox';
import { DeviceIdSchema, LatestReadingSchema } from './telemetry-contract.ts';
import { ThingAttributesSchema } from './thing-attributes.ts';
import { DeviceStatusSchema } from './web-app/device-status.ts';

const isoTime = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description: `${description} (ISO 8601)` });

/** Limits of the device routes. */
export const deviceLimits = {
  /** Devices per page of `GET /api/devices`, and ids per `GET /data/device-states` (BatchGetItem takes 100 keys). */
  maxPage: 100,
  maxNameLength: 128,
  maxCursorLength: 512,
} as const;

/** A registry item, as the API Service writes it at registration. */
export const DeviceRecordSchema = Type.Object({
  deviceId: DeviceIdSchema,
  name: Type.String({ maxLength: deviceLimits.maxNameLength, description: 'Display name' }),
  ownerId: Type.String({ maxLength: 128, description: 'The `sub` of the user who registered it' }),
  ownerName: Type.String({ maxLength: 128, description: 'Their username' }),
  createdAt: isoTime('Registration time'),
  certificateArn: Type.String({ maxLength: 2048 }),
  certificateId: Type.String({ maxLength: 64 }),
  status: Type.Literal('active'),
});
export type DeviceRecord = Static<typeof DeviceRecordSchema>;

/** Presence, from AWS IoT lifecycle events (https://docs.aws.amazon.com/iot/latest/developerguide/life-cycle-events.html). */
export const DevicePresenceSchema = Type.Object({
  online: Type.Boolean({ description: 'Connected to IoT Core, from lifecycle events' }),
  lastSeenAt: Type.Optional(isoTime('Time of the last lifecycle event')),
  connectedAt: Type.Optional(isoTime('Time of the last connect')),
  disconnectReason: Type.Optional(Type.String({ maxLength: 64, description: "AWS IoT's reason of the last disconnect" })),
});
export type DevicePresence = Static<typeof DevicePresenceSchema>;

/** What the Data Service knows of a device: presence and, once it published, its latest reading. */
export const DeviceStateSchema = Type.Object({
  deviceId: DeviceIdSchema,
  ...DevicePresenceSchema.properties,
  latest: Type.Optional(LatestReadingSchema),
});
export type DeviceState = Static<typeof DeviceStateSchema>;

/** `GET /data/device-states?ids=a,b`: one state per id asked, in the order asked (offline, no latest, when nothing is known). */
export const DeviceStatesSchema = Type.Object({
  devices: Type.Array(DeviceStateSchema, { maxItems: deviceLimits.maxPage }),
});
export type DeviceStates = Static<typeof DeviceStatesSchema>;

/** A device as the API Service answers it: the registry item joined with the Data Service's state. */
export const DeviceViewSchema = Type.Object(
  {
    ...DeviceRecordSchema.properties,
    ...DevicePresenceSchema.properties,
    latest: Type.Optional(LatestReadingSchema),
    connectivity: Type.Optional(DeviceStatusSchema),
    lastActivityAt: Type.Optional(isoTime('The last sign of life: lifecycle event or reading, whichever is later')),
    attributes: Type.Optional(ThingAttributesSchema),
  },
  { title: 'Device' },
);
export type DeviceView = Static<typeof DeviceViewSchema>;

/** `GET /api/devices`: a page of devices, in registration order unless sorted otherwise. */
export const DevicePageSchema = Type.Object({
  items: Type.Array(DeviceViewSchema, { maxItems: deviceLimits.maxPage }),
  total: Type.Optional(Type.Integer({ minimum: 0, description: 'How many devices match the filter, on every page' })),
  nextCursor: Type.Optional(
    Type.String({ maxLength: deviceLimits.maxCursorLength, description: 'Absent on the last page; pass it as `cursor`' }),
  ),
});
export type DevicePage = Static<typeof DevicePageSchema>;

/**
 * Where a device's private key comes from: `generated` by the API Service (an EC P-256 key whose CSR
 * AWS IoT signs, `@fleet/core/device-key`) and handed over once in `privateKey`, or made by the device
 * itself, which sent a `csr`: then the key never leaves the device and `privateKey` is absent. Both
 * certificates come from CreateCertificateFromCsr, with the subject CN=<deviceId>.
 */
export const keySources = ['generated', 'csr'] as const;
export type KeySource = (typeof keySources)[number];

/**
 * The root CA a device trusts (Amazon Root CA 1 on AWS, the local CA locally): the file name the
 * `mosquitto_pub` and `curl` commands pass as `--cafile`/`--cacert`, the name of the credentials
 * ZIP's CA file, and the name the web app saves it under.
 */
export const rootCaFileName = 'root-ca.pem';

/**
 * `GET` of the root CA's PEM from the API itself (same origin as the web app, which saves it as
 * `rootCaFileName`: a browser ignores a download name across origins). `.pem` keeps it apart from
 * `/api/devices/:id`, no device id having a dot.
 */
export const rootCaPath = `/api/devices/${rootCaFileName}`;

/** The line that opens a PEM certificate: an answer without it is not a CA to save or hand out. */
export const pemCertificateHeader = '-----BEGIN CERTIFICATE-----';

/** What a newly registered device needs to connect; a generated private key is shown once, never stored. */
export const DeviceCredentialsSchema = Type.Object({
  certificatePem: Type.String({ maxLength: 8192 }),
  keySource: Type.Enum(keySources, {
    description: '`generated`: the key pair was made for the device and `privateKey` carries it; `csr`: the device made it and kept it',
  }),
  privateKey: Type.Optional(
    Type.String({ maxLength: 8192, description: 'Present only when `keySource` is `generated`: shown once, never stored by Fleet' }),
  ),
  caUrl: Type.String({
    maxLength: 2048,
    description: `Where the deployment downloads the CA of the IoT endpoint's server certificate from (\`GET ${rootCaPath}\` serves the same PEM)`,
  }),
  endpoint: Type.String({ maxLength: 253, description: 'IoT data endpoint host (iot:Data-ATS)' }),
  port: Type.Integer({ minimum: 1, maximum: 65_535, description: 'Its MQTT over TLS port' }),
  httpsPort: Type.Integer({ minimum: 1, maximum: 65_535, description: 'Its HTTPS publish port (`POST /topics/<topic>?qos=1`)' }),
  topic: Type.String({ maxLength: 256, description: 'Where to publish telemetry' }),
  mosquittoPub: Type.String({ maxLength: 4096, description: 'Ready-to-paste command publishing one reading with the downloaded files' }),
  curlPublish: Type.Optional(
    Type.String({
      maxLength: 4096,
      description:
        "The same reading published over HTTPS with curl and the same files (AWS IoT HTTPS publish). Present only when the certificate's subject common name is the device id: the device policy allows HTTPS publish only then, AWS IoT resolving no thing policy variable over HTTPS",
    }),
  ),
});
export type DeviceCredentials = Static<typeof DeviceCredentialsSchema>;

/** `POST /api/devices`. */
export const RegisteredDeviceSchema = Type.Object({ device: DeviceViewSchema, credentials: DeviceCredentialsSchema });
export type RegisteredDevice = Static<typeof RegisteredDeviceSchema>;

/** `DELETE /api/devices/:id`: 204, no body. */
export const DeviceRevokedSchema = Type.Null({ description: 'Revoked' });

/**
 * The private key Fleet generated for a device (`keySource: 'generated'`); throws for credentials of
 * a device that sent a CSR, whose key never left it.
 */
export function generatedPrivateKey(credentials: Pick<DeviceCredentials, 'keySource' | 'privateKey'>): string {
  if (credentials.keySource !== 'generated' || credentials.privateKey === undefined) {
    throw new Error(`These credentials carry no private key: keySource is "${credentials.keySource}" (the device holds its own key)`);
  }
  return credentials.privateKey;
}
