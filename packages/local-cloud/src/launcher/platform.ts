/**
 * The whole platform on one machine: the local cloud, the three ECS services as child processes,
 * and the gateway in front of them (Route 53 → CloudFront → API Gateway → load balancers).
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { gatewayRoutes, monitoring, services, type ServiceName } from '@fleet/core';
import { writeEndpointsFile, type LocalEndpointsFile } from '@fleet/core/endpoints-file';
import { freePort } from '@fleet/core/process';
import { createGateway, createHealthChecker, createJwtAuthorizer, createTaskBalancer, type HealthChecker } from '../gateway/index.ts';
import type { LaunchConfig } from './launch-config.ts';
import { localNames } from './host-allow-list.ts';
import { localTaskEnvironment } from './local-task-environment.ts';
import { dataLayout } from './data-layout.ts';
import { startLocalCloud, type LocalCloud } from './local-cloud.ts';
import { createPlatformStatus, type PlatformStatus } from './platform-status.ts';
import { startServiceProcess, type ServiceProcess } from './service-processes.ts';

/** What `<dataDir>/endpoints.json` holds: core's schema of the local cloud's endpoints file. */
export type PlatformEndpoints = LocalEndpointsFile;

export interface Platform {
  readonly endpoints: PlatformEndpoints;
  readonly cloud: LocalCloud;
  readonly health?: HealthChecker;
  readonly processes: readonly ServiceProcess[];
  /** The live state of the child processes, also served as `GET /_fleet/status` on the AWS port. */
  readonly status: PlatformStatus;
  stop(): Promise<void>;
}

export async function startPlatform(config: LaunchConfig, repoRoot: string, log: Logger): Promise<Platform> {
  await Promise.all(
    [
      config.ports.gateway,
      config.ports.aws,
      config.ports.mqtt,
      config.ports.mqttWebSocket,
      config.ports.iotHttps,
      ...(config.services ? config.ports.services : []),
    ].map((port) => assertPortFree(config.host, port)),
  );
  const status = createPlatformStatus({ log: log.child({ component: 'status' }) });
  // The web app calls Cognito on the AWS port from the gateway's origin: that origin alone may.
  const browserOrigins = new Set<string>();
  const cloud = await startLocalCloud({
    browserOrigins,
    allowAnyCredentials: config.allowAnyCredentials,
    tableStatisticsIntervalMs: config.tableStatisticsIntervalMs,
    dataDir: config.dataDir,
    host: config.host,
    awsPort: config.ports.aws,
    mqttPort: config.ports.mqtt,
    mqttWebSocketPort: config.ports.mqttWebSocket,
    iotHttpsPort: config.ports.iotHttps,
    log,
    onChildStateChange: (child) => status.childChanged('stand-in', child),
    status: () => status.snapshot(),
  });
  const processes: ServiceProcess[] = [];
  const balancers: HttpServer[] = [];
  let gateway: HttpServer | undefined;
  let health: HealthChecker | undefined;
  const stop = async () => {
    health?.stop();
    if (gateway) await new Promise<void>((resolve) => gateway?.close(() => resolve()));
    gateway?.closeAllConnections();
    await Promise.all(balancers.map((b) => new Promise<void>((resolve) => b.close(() => resolve()))));
    await Promise.all(processes.map((p) => p.stop()));
    await cloud.stop();
  };
  try {
    const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    const gatewayUrl = `http://${host}:${config.ports.gateway}`;
    const serviceUrl = (name: ServiceName) => `http://${host}:${config.ports.services[services.findIndex((s) => s.name === name)]}`;
    const references = cloud.references({ dataServiceUrl: serviceUrl('data') });
    const targets = { frontend: serviceUrl('frontend'), api: serviceUrl('api'), data: serviceUrl('data') };

    if (config.services) {
      for (const [index, service] of services.entries()) {
        const port = config.ports.services[index] ?? service.port;
        const tasks = service.name === 'data' ? config.dataTasks : 1;
        // One task listens on the service's port; several sit behind a load balancer there (task-balancer.ts).
        const taskPorts = tasks === 1 ? [port] : await Promise.all(Array.from({ length: tasks }, () => freePort(host)));
        const started: ServiceProcess[] = [];
        for (const [task, taskPort] of taskPorts.entries()) {
          const environment = localTaskEnvironment({
            service: service.name,
            references,
            port: taskPort,
            host: config.host,
            logLevel: config.logLevel,
            awsEndpoint: cloud.endpoints.awsEndpoint,
            credentials: cloud.credentials.tasks[service.name],
            dataServiceTuning: config.dataServiceTuning,
          });
          const logGroupName = monitoring.serviceLogGroup(service.name);
          const taskName = task === 0 ? service.name : `${service.name}-${task + 1}`;
          const taskProcess = await startServiceProcess({
            service,
            taskName,
            repoRoot,
            environment,
            hostVariables: config.serviceHostVariables,
            logDir: dataLayout(config.dataDir).serviceLogs,
            log: log.child({ component: taskName }),
            onLine: (line) => cloud.ingestServiceLine(line, logGroupName),
            onStateChange: (child) => status.childChanged('service', child),
          });
          processes.push(taskProcess);
          started.push(taskProcess);
        }
        if (tasks > 1) {
          const balancer = createTaskBalancer({
            service: service.name,
            // The load balancer stand-in forwards what the gateway lets through for the service.
            maxBodyBytes: Math.max(...gatewayRoutes.filter((r) => r.service === service.name).map((r) => r.maxBodyBytes)),
            // A task that exited is skipped without a connection attempt; one still starting refuses and is skipped too.
            taskPorts: started.map((p, task) => () => (['up', 'starting'].includes(p.status().state) ? taskPorts[task] : undefined)),
            log: log.child({ component: `${service.name}-load-balancer` }),
          });
          await listen(balancer.server, port, config.host);
          balancers.push(balancer.server);
        }
      }
      // The target group checks liveness, as on AWS; readiness feeds the status view.
      health = createHealthChecker(
        services.map((s) => ({ name: s.name, baseUrl: targets[s.name], healthPath: s.livenessPath, readinessPath: s.healthPath })),
        { onChange: status.healthChanged, onReadinessChange: status.readinessChanged },
      );
    }

    gateway = createGateway({
      targets,
      authorizer: createJwtAuthorizer({
        userPoolId: references.userPoolId,
        clientId: references.userPoolClientId,
        jwksUrl: `${cloud.endpoints.awsEndpoint}/${references.userPoolId}/.well-known/jwks.json`,
      }),
      health,
      log: log.child({ component: 'gateway' }),
    });
    await new Promise<void>((resolve, reject) => {
      gateway?.once('error', reject);
      gateway?.listen(config.ports.gateway, config.host, () => resolve());
    });
    const gatewayPort = (gateway.address() as AddressInfo).port;
    for (const name of localNames(config.host)) browserOrigins.add(`http://${name}:${gatewayPort}`);

    const endpoints: PlatformEndpoints = {
      ...cloud.endpoints,
      gatewayUrl,
      services: Object.fromEntries(
        services.map((s) => [s.name, { url: targets[s.name], pid: processes.find((p) => p.name === s.name)?.status().pid }]),
      ),
    };
    await writeEndpointsFile(dataLayout(config.dataDir).endpointsFile, endpoints);
    return { endpoints, cloud, health, processes, status, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Fails early with the port's name instead of a stand-in dying half-started with EADDRINUSE. */
async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`port ${port} on ${host} is in use (${err.code}); stop what uses it or choose another port (npm start -- --help)`)),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

function listen(server: Server | HttpServer, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}
