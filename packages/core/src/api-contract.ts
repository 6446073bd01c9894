/**
 * Shapes that cross a process boundary as JSON: the API Service and the Data Service produce them;
 * the web app, the simulator and the tests consume them. Defined once so that the two sides of a
 * wire cannot drift apart.
 */
import type { Permission, Role } from './auth.ts';

/** What a newly registered device needs to connect; the private key is shown once, never stored. */
export interface DeviceCredentials {
  readonly certificatePem: string;
  readonly privateKey: string;
  /** The CA that signs the IoT endpoint's server certificate (Amazon Root CA 1 on AWS). */
  readonly caUrl: string;
  /** Host of the IoT data endpoint. */
  readonly endpoint: string;
  /** Its MQTT over TLS port. */
  readonly port: number;
  readonly topic: string;
  /** A ready-to-paste command that publishes one reading with the downloaded files. */
  readonly mosquittoPub: string;
}

/** One downsampled interval of one metric. `t` is the interval start, epoch ms. */
export interface ReadingInterval {
  readonly t: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  readonly count: number;
}

/** `/config.json` of the Frontend service: what the web app needs to know at run time. */
export interface WebRuntimeConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly identityPoolId: string;
  readonly iotWebSocketUrl: string;
  /** Where the browser reaches Cognito; absent on AWS (the regional endpoint). */
  readonly cognitoEndpoint?: string;
}

/**
 * Bounds of the telemetry queries, which the Data Service enforces and the API Service documents
 * and checks before relaying (so a bad query never travels and the OpenAPI document shows them).
 */
export const telemetryQueryLimits = {
  defaultMaxPoints: 500,
  maxMaxPoints: 2000,
  defaultRawLimit: 500,
  maxRawLimit: 1000,
  /** Raw-reading cursors are short base64url strings of `<ts>_<seq>`. */
  maxCursorLength: 64,
  /** A comma-separated list of metric names. */
  maxMetricsLength: 1024,
  /** `from` / `to`: epoch milliseconds or an ISO 8601 time. */
  maxTimeLength: 64,
} as const;

/** GET /api/me: the signed-in user as the user pool knows them now. */
export interface SignedInUser {
  readonly username: string;
  readonly sub: string;
  readonly email: string | null;
  /** The role in the user pool now. */
  readonly role: Role;
  readonly groups: readonly string[];
  /** The role of the access token presented; when it differs from `role`, refresh the tokens. */
  readonly tokenRole: Role;
  /** What `role` allows; the web app shows only these actions. */
  readonly permissions: readonly Permission[];
  /** This call made the user the first admin of a fresh stack. */
  readonly firstAdmin?: true;
}

/** A user of the pool, as GET /api/users lists them and POST /api/users answers an invitation. */
export interface PoolUser {
  readonly username: string;
  readonly sub?: string;
  readonly email?: string;
  readonly enabled: boolean;
  /** Cognito's UserStatus: CONFIRMED, FORCE_CHANGE_PASSWORD (invited), UNCONFIRMED… */
  readonly status?: string;
  readonly createdAt?: string;
  readonly groups: readonly string[];
  readonly role: Role;
}
