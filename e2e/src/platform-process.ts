/**
 * Starts the whole platform the way a user does (`npm start`'s entry point) as a separate
 * process on free ports and a fresh data folder, and waits until the gateway serves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEndpointsFile, readLocalEndpointsFile, type EndpointsFile, type LocalEndpointsFile } from '@fleet/core/endpoints-file';
import { dataLayout, launcherNodeFlags, launcherScript } from '@fleet/local-cloud';
import { freePort } from './free-port.ts';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface PlatformProcess {
  readonly dataDir: string;
  readonly ports: PlatformPorts;
  readonly endpoints: LocalEndpointsFile;
  readonly output: () => string;
  readonly child: ChildProcess;
  /** Root credentials of the local cloud (for admin-side checks, as an operator with AWS access would). */
  credentials(): Promise<{ accessKeyId: string; secretAccessKey: string } | undefined>;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export interface PlatformPorts {
  readonly gateway: number;
  readonly aws: number;
  readonly mqtt: number;
  readonly ws: number;
  /** IoT HTTPS publish (`--iot-https-port`). */
  readonly iotHttps: number;
  readonly frontend: number;
  readonly api: number;
  readonly data: number;
}

export async function startPlatformProcess(
  options: {
    dataDir?: string;
    ports?: PlatformPorts;
    startTimeoutMs?: number;
    /** More of `npm start`'s flags, e.g. `['--data-tasks', '2']`. */
    launcherArgs?: readonly string[];
  } = {},
): Promise<PlatformProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'fleet-e2e-')));
  const ports = options.ports ?? (await allocatePorts());
  const { gateway, aws, mqtt, ws, iotHttps, frontend, api, data } = ports;
  const child = spawn(
    process.execPath,
    [
      ...launcherNodeFlags,
      '--import',
      'tsx',
      launcherScript,
      '--data-dir',
      dataDir,
      '--gateway-port',
      String(gateway),
      '--aws-port',
      String(aws),
      '--mqtt-port',
      String(mqtt),
      '--mqtt-ws-port',
      String(ws),
      '--iot-https-port',
      String(iotHttps),
      '--service-ports',
      `${frontend},${api},${data}`,
      '--log-level',
      'warn',
      ...(options.launcherArgs ?? []),
    ],
    // The launcher inherits this process's environment, as `npm start` does from a shell.
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  let endpoints: LocalEndpointsFile | undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the platform exited with ${child.exitCode} while starting:\n${output}`);
    // The launcher prints its table once every service is healthy, or after its own wait without them.
    if (output.includes('Fleet is up') || output.includes('Fleet started in')) {
      endpoints = await readLocalEndpointsFile(dataLayout(dataDir).endpointsFile);
      if (await allHealthy(endpoints)) break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!endpoints || !(await allHealthy(endpoints))) {
    child.kill('SIGKILL');
    throw new Error(`the platform did not become healthy in time:\n${output}`);
  }
  const found = endpoints;
  return {
    dataDir,
    ports,
    endpoints: found,
    output: () => output,
    child,
    credentials: async () => JSON.parse(await readFile(found.credentialsFile, 'utf8')) as { accessKeyId: string; secretAccessKey: string },
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function allocatePorts(): Promise<PlatformPorts> {
  const [gateway = 0, aws = 0, mqtt = 0, ws = 0, iotHttps = 0, frontend = 0, api = 0, data = 0] = await Promise.all(
    Array.from({ length: 8 }, freePort),
  );
  return { gateway, aws, mqtt, ws, iotHttps, frontend, api, data };
}

async function allHealthy(endpoints: EndpointsFile): Promise<boolean> {
  const checks = ['/health', '/api/health', '/data/health'].map(async (path) => {
    try {
      const res = await fetch(new URL(path, endpoints.gatewayUrl), { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  });
  return (await Promise.all(checks)).every(Boolean);
}

/**
 * A Fleet to test against: a deployed stack when `deployedEndpointsFile` names its endpoints file
 * (`npm run endpoints -w infra` writes it), otherwise a fresh local platform process. Tests that
 * need to kill or restart processes use `startPlatformProcess` and run locally only.
 */
export interface FleetUnderTest {
  readonly endpoints: EndpointsFile;
  /** Local cloud: its root credentials; deployed stack: undefined (the SDK's default chain is used). */
  credentials(): Promise<{ accessKeyId: string; secretAccessKey: string } | undefined>;
  stop(): Promise<void>;
}

export async function fleetUnderTest(deployedEndpointsFile: string | undefined): Promise<FleetUnderTest> {
  if (!deployedEndpointsFile) return startPlatformProcess();
  const endpoints = await readEndpointsFile(resolve(repoRoot, deployedEndpointsFile));
  return { endpoints, credentials: async () => undefined, stop: async () => {} };
}
