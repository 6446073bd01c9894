/**
 * How every simulated MQTT connection reaches IoT Core: MQTT 3.1.1 over mutual TLS with a
 * certificate and its key, a clean session, as AWS IoT devices connect.
 */
import type { IClientOptions } from 'mqtt';

export interface TlsEndpoint {
  readonly host: string;
  readonly port: number;
  /** CA of the endpoint's server certificate. @default the system's trust store (Amazon Root CA 1 on AWS) */
  readonly ca?: string;
  readonly cert: string;
  readonly key: string;
}

/** `reconnectPeriod` 0: a failed connection is the caller's to retry. */
export function mqttsOptions(endpoint: TlsEndpoint, clientId: string, reconnectPeriod: number): IClientOptions {
  return {
    host: endpoint.host,
    port: endpoint.port,
    protocol: 'mqtts',
    ...(endpoint.ca === undefined ? {} : { ca: endpoint.ca }),
    cert: endpoint.cert,
    key: endpoint.key,
    clientId,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod,
    connectTimeout: 10_000,
  };
}
