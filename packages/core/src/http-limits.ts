/**
 * Sizes and times every HTTP hop of Fleet keeps to, defined once: the local gateway enforces the
 * gateway's (as API Gateway does on AWS), the services set theirs on their own servers in both
 * runtimes. A slow or huge request ends with a clear 4xx instead of holding a socket or memory.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

/** Request body limits, in bytes. */
export const bodyLimits = {
  /** API Gateway's payload quota (HTTP APIs): nothing larger reaches a service on AWS. */
  apiGateway: 10 * MiB,
  /** Any API route's JSON body: names, ids, roles, an ID token. */
  api: 16 * KiB,
  /** A device command's body: its arguments are published as one MQTT message (AWS IoT allows 128 KB). */
  apiCommand: 64 * KiB,
  /** A device import's CSV file (`deviceImportLimits.maxBytes`, 4 MiB) as JSON `{ csv }`: escaping may double it. */
  apiDeviceImport: 8 * MiB,
  /** Routes that take no body at all (the Data Service's and the frontend's): a stray body is refused early. */
  none: 1 * KiB,
} as const;

/** Time limits, in milliseconds. */
export const httpTimeouts = {
  /**
   * Until the request line and headers are in. Node's default (60 s) lets a client that sends one
   * header byte a minute hold a socket; legitimate clients send them in one packet.
   */
  headers: 10_000,
  /** Until the whole request (headers and body) is in; API Gateway's integration timeout is 30 s. */
  request: 30_000,
  /**
   * How long the gateway waits for its target's answer before a 504: API Gateway's HTTP API
   * integration timeout, at most 29 s (the CDK app sets it from here).
   */
  upstream: 29_000,
  /** An idle keep-alive connection of the gateway (as CloudFront's 5 s keep-alive idle timeout). */
  gatewayKeepAlive: 5_000,
  /** The load balancers' idle timeout (the ALB default, set explicitly by the CDK app). */
  loadBalancerIdle: 60_000,
  /**
   * An idle keep-alive connection of a service: longer than the load balancer's idle timeout, as
   * AWS advises for targets, so the load balancer never sends on a connection the service is closing.
   */
  serviceKeepAlive: 65_000,
  /** How often Node checks the two limits above (its default, 30 s, would let a limit run late). */
  checkInterval: 1_000,
} as const;

/** Longest request target (path and query) accepted; CloudFront's own limit is 8,192 bytes. */
export const maxRequestTargetLength = 8 * KiB;
