/**
 * `npm start`: the whole Fleet platform on this machine, no AWS account needed.
 * The composition root: the only place reading argv and the environment.
 */
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import pino from 'pino';
import { services } from '@fleet/core';
import { exitGracefullyOnSignal } from '@fleet/core/process';
import { readLaunchConfig, UsageRequested } from './launcher/launch-config.ts';
import { checkNodeRuntime, supportedNodeRange } from './launcher/node-runtime.ts';
import { startPlatform } from './launcher/platform.ts';
import { waitUntilHealthy } from './gateway/index.ts';
import { awsCredentialsRow, formatStatusTable } from './launcher/status-table.ts';
import { localProcessEnvironment } from './child-process/index.ts';

/** How long `npm start` waits for every service's health check before printing the table anyway. */
const startupHealthTimeoutMs = 60_000;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

async function main(): Promise<void> {
  // The stand-ins' processes inherit this environment; the service tasks get it from startReadyChild.
  Object.assign(process.env, localProcessEnvironment);
  const runtime = checkNodeRuntime(process.versions.node, supportedNodeRange(repoRoot), process.execPath);
  if (!runtime.ok) {
    console.error(runtime.message);
    process.exit(2);
  }
  let config;
  try {
    config = readLaunchConfig(process.argv.slice(2), process.env);
  } catch (err) {
    const usage = err instanceof UsageRequested;
    (usage ? console.log : console.error)((err as Error).message);
    process.exit(usage ? 0 : 2);
  }
  const log = pino({
    level: config.logLevel,
    transport: process.stdout.isTTY ? { target: 'pino-pretty', options: { ignore: 'pid,hostname', translateTime: 'HH:MM:ss' } } : undefined,
  });
  const started = Date.now();
  const platform = await startPlatform(config, repoRoot, log);
  const e = platform.endpoints;
  const rows = [
    { what: 'Fleet (CloudFront → API Gateway)', where: e.gatewayUrl, note: 'open this in a browser' },
    { what: 'AWS APIs (all services)', where: e.awsEndpoint, note: `region ${e.region}, account ${e.accountId}` },
    awsCredentialsRow(config.allowAnyCredentials, e.credentialsFile),
    { what: 'IoT Core MQTT/TLS', where: e.mqttUrl, note: 'device certificates, CA below' },
    { what: 'IoT Core MQTT/WebSocket', where: e.mqttWebSocketUrl, note: 'SigV4 (identity pool credentials)' },
    {
      what: 'IoT Core HTTPS publish',
      where: `https://${e.mqttHost}:${e.iotHttpsPort}/topics/<topic>`,
      note: 'device certificates, CA below',
    },
    { what: 'Cognito user pool / client', where: `${e.userPoolId} / ${e.userPoolClientId}` },
    { what: 'Cognito identity pool', where: e.identityPoolId },
    ...Object.entries(e.queueUrls).map(([name, url]) => ({ what: `SQS ${name}`, where: url })),
    { what: 'S3 bucket', where: e.bucket },
    { what: 'DynamoDB tables', where: Object.values(e.tables).join(', ') },
    ...(config.services
      ? services.map((s) => ({
          what: `ECS service ${s.index}: ${s.title}`,
          where: e.services[s.name]?.url ?? '',
          note:
            s.name === 'data' && config.dataTasks > 1
              ? `${config.dataTasks} tasks behind load balancer 3; logs: ${config.dataDir}/logs/data.log … data-${config.dataTasks}.log`
              : `logs: ${config.dataDir}/logs/${s.name}.log`,
        }))
      : [{ what: 'ECS services', where: 'not started', note: '--cloud-only' }]),
    { what: 'Device CA certificate', where: e.caFile },
    { what: 'Everything a client needs', where: `${config.dataDir}/endpoints.json` },
    { what: 'Live status (JSON)', where: `${e.awsEndpoint}/_fleet/status`, note: 'processes, restarts, health; changes are logged' },
    { what: 'Runtime', where: `Node.js ${process.version}`, note: process.execPath },
  ];
  // "Up" means every service answers its health check, not that its process exists.
  const healthy = platform.health ? await waitUntilHealthy(platform.health, startupHealthTimeoutMs) : true;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const title = healthy
    ? `Fleet is up in ${seconds} s — data in ${config.dataDir}`
    : `Fleet started in ${seconds} s, but not every service answers its health check yet — see ${e.awsEndpoint}/_fleet/status and ${config.dataDir}/logs`;
  console.log(formatStatusTable(title, rows));
  console.log('  Ctrl-C stops everything; data stays for the next start.\n');

  // The services drain within their own timeouts (25 s at most), then the stand-ins close.
  exitGracefullyOnSignal({ log, drain: () => platform.stop(), timeoutMs: 45_000 });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
