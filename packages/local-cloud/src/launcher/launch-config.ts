/**
 * Launcher configuration: command-line flags over environment variables over defaults.
 * Validated once; every problem is reported together.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { iotHttpsPublishPort, readFlushSpacing, serviceByName, services, type DataServiceTuning } from '@fleet/core';

export interface LaunchConfig {
  /** Everything the local cloud keeps: tables, objects, queues, users, keys, CA. */
  readonly dataDir: string;
  /** Interface every port listens on. Loopback by default: the local cloud has no authentication worth exposing. */
  readonly host: string;
  readonly ports: {
    /** CloudFront + API Gateway + load balancers: the product's URL. */
    readonly gateway: number;
    /** Every AWS API (LocalStack's well-known port). */
    readonly aws: number;
    /** IoT Core MQTT over TLS with client certificates (AWS IoT's port). */
    readonly mqtt: number;
    /** IoT Core MQTT over WebSocket, path /mqtt. */
    readonly mqttWebSocket: number;
    /** IoT Core HTTPS publish with client certificates, `POST /topics/<topic>` (AWS IoT's 8443). */
    readonly iotHttps: number;
    /** Container ports of the three services, in `services` order (frontend, api, data). */
    readonly services: readonly number[];
  };
  /** Start the three ECS services as child processes (off: the local cloud alone). */
  readonly services: boolean;
  /**
   * Data Service tasks consuming the one ingest queue (the ECS service's desired count); with more
   * than one, the data port is their load balancer (`task-balancer.ts`) and the tasks take free ports.
   */
  readonly dataTasks: number;
  /** What the deployment chooses for the Data Service (`--ingest-flush-spacing`), as the CDK context chooses it on AWS. */
  readonly dataServiceTuning: DataServiceTuning;
  /** How often the local DynamoDB counts DescribeTable's ItemCount and TableSizeBytes (AWS: about every six hours). */
  readonly tableStatisticsIntervalMs: number;
  readonly logLevel: string;
  /** Any SigV4-shaped credentials act as the account root on the AWS port (LocalStack's habit). */
  readonly allowAnyCredentials: boolean;
  /**
   * The launcher's variables a service process gets besides its task environment: only what a
   * container would have, so that no developer shell variable (AWS_PROFILE, …) leaks into a service.
   */
  readonly serviceHostVariables: Readonly<Record<string, string>>;
}

const containerLikeVariables = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NODE_OPTIONS'];

/** The most tasks ECS runs for the Data Service (core's `queueScaling`). */
const maxDataTasks = serviceByName('data').queueScaling?.maxTasks ?? 1;

export const usage = `Usage: npm start -- [options]

  --data-dir <path>     data folder (env FLEET_DATA_DIR, default .fleet)
  --host <address>      listen address (env FLEET_HOST, default 127.0.0.1)
  --gateway-port <n>    product URL port (env FLEET_GATEWAY_PORT, default 3000)
  --aws-port <n>        AWS API port (env FLEET_AWS_PORT, default 4566)
  --mqtt-port <n>       MQTT/TLS port (env FLEET_MQTT_PORT, default 8883)
  --mqtt-ws-port <n>    MQTT/WebSocket port (env FLEET_MQTT_WS_PORT, default 8083)
  --iot-https-port <n>  IoT HTTPS publish port, device certificates (env FLEET_IOT_HTTPS_PORT, default ${iotHttpsPublishPort})
  --service-ports <a,b,c>  frontend,api,data ports (env FLEET_SERVICE_PORTS, default 3001,3002,3003)
  --data-tasks <n>      Data Service tasks on the one ingest queue, 1-${maxDataTasks} (env FLEET_DATA_TASKS, default 1)
  --ingest-flush-spacing <ms>  fresh data or DynamoDB write units: how far apart the Data Service's
                        flushes are while the ingest queue is busy, 0-5000 (env FLEET_INGEST_FLUSH_SPACING_MS,
                        default 250; 100: readings stored sooner, about twice the write units)
  --table-stats-interval <s>  seconds between the local DynamoDB's counts of its tables' items and
                        bytes for DescribeTable (env FLEET_TABLE_STATS_INTERVAL, default 600)
  --cloud-only          start the local cloud without the three services
  --allow-any-credentials  accept any SigV4-shaped credentials on the AWS port as the account root,
                        without signature or IAM checks (env FLEET_ALLOW_ANY_CREDENTIALS=1; default off)
  --log-level <level>   pino level (env LOG_LEVEL, default info)
  --help`;

export function readLaunchConfig(argv: readonly string[], env: NodeJS.ProcessEnv): LaunchConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'data-dir': { type: 'string' },
      host: { type: 'string' },
      'gateway-port': { type: 'string' },
      'aws-port': { type: 'string' },
      'mqtt-port': { type: 'string' },
      'mqtt-ws-port': { type: 'string' },
      'iot-https-port': { type: 'string' },
      'service-ports': { type: 'string' },
      'data-tasks': { type: 'string' },
      'ingest-flush-spacing': { type: 'string' },
      'table-stats-interval': { type: 'string' },
      'cloud-only': { type: 'boolean' },
      'allow-any-credentials': { type: 'boolean' },
      'log-level': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) throw new UsageRequested();
  const problems: string[] = [];
  const port = (flag: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) problems.push(`${flag} must be a port number 0-65535, received "${raw}"`);
    return n;
  };
  const config: LaunchConfig = {
    dataDir: resolve(values['data-dir'] ?? env.FLEET_DATA_DIR ?? '.fleet'),
    host: values.host ?? env.FLEET_HOST ?? '127.0.0.1',
    ports: {
      gateway: port('--gateway-port', values['gateway-port'] ?? env.FLEET_GATEWAY_PORT, 3000),
      aws: port('--aws-port', values['aws-port'] ?? env.FLEET_AWS_PORT, 4566),
      mqtt: port('--mqtt-port', values['mqtt-port'] ?? env.FLEET_MQTT_PORT, 8883),
      mqttWebSocket: port('--mqtt-ws-port', values['mqtt-ws-port'] ?? env.FLEET_MQTT_WS_PORT, 8083),
      iotHttps: port('--iot-https-port', values['iot-https-port'] ?? env.FLEET_IOT_HTTPS_PORT, iotHttpsPublishPort),
      services: servicePorts(values['service-ports'] ?? env.FLEET_SERVICE_PORTS),
    },
    services: !values['cloud-only'],
    dataTasks: taskCount(values['data-tasks'] ?? env.FLEET_DATA_TASKS),
    dataServiceTuning: dataServiceTuning(values['ingest-flush-spacing'] ?? env.FLEET_INGEST_FLUSH_SPACING_MS),
    tableStatisticsIntervalMs:
      seconds('--table-stats-interval', values['table-stats-interval'] ?? env.FLEET_TABLE_STATS_INTERVAL, 600) * 1000,
    logLevel: values['log-level'] ?? env.LOG_LEVEL ?? 'info',
    allowAnyCredentials: values['allow-any-credentials'] ?? flag('FLEET_ALLOW_ANY_CREDENTIALS', env.FLEET_ALLOW_ANY_CREDENTIALS),
    serviceHostVariables: Object.fromEntries(containerLikeVariables.flatMap((k) => (env[k] ? [[k, env[k]]] : []))),
  };
  function flag(name: string, raw: string | undefined): boolean {
    if (raw === undefined || raw === '' || raw === '0' || raw.toLowerCase() === 'false') return false;
    if (raw === '1' || raw.toLowerCase() === 'true') return true;
    problems.push(`${name} must be 1/true or 0/false, received "${raw}"`);
    return false;
  }
  function taskCount(raw: string | undefined): number {
    if (raw === undefined || raw === '') return 1;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > maxDataTasks)
      problems.push(`--data-tasks must be a whole number 1-${maxDataTasks}, received "${raw}"`);
    return n;
  }
  function dataServiceTuning(raw: string | undefined): DataServiceTuning {
    const { value, problem } = readFlushSpacing('--ingest-flush-spacing', raw);
    if (problem) problems.push(problem);
    return value === undefined ? {} : { flushSpacingMs: value };
  }
  function seconds(name: string, raw: string | undefined, fallback: number): number {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 1 || n > 86_400) problems.push(`${name} must be 1-86400 seconds, received "${raw}"`);
    return n;
  }
  function servicePorts(raw: string | undefined): number[] {
    const defaults = services.map((s) => s.port);
    if (raw === undefined || raw === '') return defaults;
    const parts = raw.split(',');
    if (parts.length !== defaults.length) {
      problems.push(
        `--service-ports takes ${defaults.length} comma-separated ports (${services.map((s) => s.name).join(',')}), received "${raw}"`,
      );
      return defaults;
    }
    return parts.map((p, i) => port(`--service-ports[${i}]`, p.trim(), defaults[i] ?? 0));
  }
  if (problems.length > 0) throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}\n\n${usage}`);
  return config;
}

export class UsageRequested extends Error {
  constructor() {
    super(usage);
  }
}
