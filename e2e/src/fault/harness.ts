/**
 * The fault-injection harness: a whole platform as separate processes (`npm start`'s entry point on
 * free ports and a throw-away data folder) that a test can `kill -9` as a whole or service by
 * service and start again on the same ports and data; an admin user; registered devices; and
 * (re-exported) the counting publishers and the acknowledged-vs-stored verdict.
 *
 *   const platform = await startFaultPlatform();
 *   const devices = await platform.registerDevices('kill', 10);
 *   const fleet = startCountingFleet({ ...platform.mqtt(), devices, ... });
 *   await platform.killAll(); await platform.restart();
 *   const verdict = await settledVerdict(() => platform.admin, fleet.tallies, baseTs, count, 60_000);
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { services, type ServiceName } from '@fleet/core';
import { createFleetApi, signIn, type RegisteredDevice } from '@fleet/simulator';
import { createAdmin, type FleetUser } from '../fleet-user.ts';
import { startPlatformProcess, type PlatformPorts, type PlatformProcess } from '../platform-process.ts';
import '../suite-settings.ts';
import { faultSeed as seededFault, type SeededRandom } from './seeded-random.ts';

export { startCountingFleet, type CountingFleet, type CountingFleetOptions, type DeviceTally } from './counting-fleet.ts';
export { describeVerdict, settledVerdict, verdictOf, type DeviceVerdict, type RunVerdict } from './stored-tally.ts';
export { seededRandom, type SeededRandom } from './seeded-random.ts';

/** The run's random points for `scenario`, replayed from `FLEET_FAULT_SEED` when set (see seeded-random.ts). */
export function faultSeed(scenario: string): SeededRandom {
  return seededFault(scenario, inject('faultSeed') || undefined);
}

export interface FaultPlatform {
  /** The current platform process (a new one after each restart). */
  readonly current: PlatformProcess;
  /** A signed-in admin (signed in again after each restart). */
  readonly admin: FleetUser;
  /** Where devices connect, for `startCountingFleet`. */
  mqtt(): { mqttHost: string; mqttPort: number; ca: string };
  registerDevices(prefix: string, count: number): Promise<RegisteredDevice[]>;
  /** `kill -9` of the launcher: the local cloud and, through their stdin, the services die with it. Returns when. */
  killAll(): Promise<number>;
  /** SIGTERM of the launcher: a graceful stop (the broker closes, in-flight work drains). Returns when it began. */
  stopGracefully(): Promise<number>;
  /** Starts the platform again on the same ports and data folder. */
  restart(): Promise<void>;
  /** `kill -9` of one service task; the launcher starts a replacement (as ECS does). Returns when. */
  killService(name: ServiceName): Promise<number>;
  /** Pid of a service task of the current launcher, once one runs. */
  servicePid(name: ServiceName): Promise<number | undefined>;
  /** Resolves when the gateway answers every health check. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const execFileAsync = promisify(execFile);

export async function startFaultPlatform(): Promise<FaultPlatform> {
  let current = await startPlatformProcess();
  const dataDir = current.dataDir;
  const ports = current.ports;
  const ca = await readFile(current.endpoints.caFile, 'utf8');
  let admin = await createAdmin(current);

  async function servicePid(name: ServiceName): Promise<number | undefined> {
    const launcher = current.child.pid;
    if (launcher === undefined) return undefined;
    const folder = services.find((s) => s.name === name)?.folder;
    // The launcher spawns each task as `node ... <folder>/src/main.ts`.
    const { stdout } = await execFileAsync('ps', ['-o', 'pid=,args=', '--ppid', String(launcher)]).catch(() => ({ stdout: '' }));
    const line = stdout.split('\n').find((l) => folder !== undefined && l.includes(`${folder}/src/main.ts`));
    return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
  }

  const platform: FaultPlatform = {
    get current() {
      return current;
    },
    get admin() {
      return admin;
    },
    mqtt: () => ({ mqttHost: current.endpoints.mqttHost, mqttPort: current.endpoints.mqttPort, ca }),
    async registerDevices(prefix, count) {
      const devices: RegisteredDevice[] = [];
      // Four at a time: each registration creates a key pair and a certificate.
      for (let i = 0; i < count; i += 4) {
        const batch = Array.from({ length: Math.min(4, count - i) }, (_, j) => `${prefix}-${i + j}`);
        devices.push(...(await Promise.all(batch.map((id) => admin.api.registerDevice(id, id)))));
      }
      return devices;
    },
    async killAll() {
      const child = current.child;
      const exited = new Promise<void>((resolve) =>
        child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
      );
      child.kill('SIGKILL');
      const at = Date.now();
      await exited;
      return at;
    },
    async stopGracefully() {
      const at = Date.now();
      await current.stop({ keepData: true });
      return at;
    },
    async restart() {
      await waitPortsFree(ports, 20_000);
      current = await startPlatformProcess({ dataDir, ports });
      const tokens = await signIn(current.endpoints, admin.email, admin.password);
      admin = { ...admin, tokens, api: createFleetApi(current.endpoints, tokens) };
    },
    async killService(name) {
      const pid = await servicePid(name);
      if (pid === undefined) throw new Error(`no ${name} task runs under launcher ${current.child.pid}`);
      process.kill(pid, 'SIGKILL');
      return Date.now();
    },
    servicePid,
    async waitHealthy(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const healthy = async (path: string) =>
        fetch(new URL(path, current.endpoints.gatewayUrl), { signal: AbortSignal.timeout(2_000) }).then(
          (r) => r.ok,
          () => false,
        );
      while (Date.now() < deadline) {
        if ((await Promise.all(['/health', '/api/health', '/data/health'].map(healthy))).every(Boolean)) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`the platform did not become healthy within ${timeoutMs} ms:\n${current.output().slice(-4000)}`);
    },
    stop: () => current.stop(),
  };
  return platform;
}

/** After a kill -9, waits until nothing answers on the platform's ports (its children are gone). */
async function waitPortsFree(ports: PlatformPorts, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const answers = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  while (Date.now() < deadline) {
    const busy = await Promise.all(Object.values(ports).map(answers));
    if (!busy.some(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`ports ${Object.values(ports).join(', ')} still answer ${timeoutMs} ms after the kill`);
}
