/**
 * The way back to the device, end to end over real processes and sockets: a configuration change
 * and commands sent while a device is offline survive `kill -9` of the platform and reach the
 * device when it comes back (run by the simulator's device code), and the device page shows their
 * final state; clients no one here wrote
 * (`mosquitto_sub`, `mosquitto_pub`) see a delta and complete a command, and the API shows it.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedPrivateKey, type CommandExecution } from '@fleet/core';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { createUser, type FleetUser, type RegisteredDevice } from './fleet-user.ts';
import { lastStartedStoppedAfterAll, signInAgain } from './kept-state.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { startSimulatedDevice } from './simulated-device.ts';
import { hasChromium, launchChromium, signIn } from './browser-session.ts';

const statusesOf = async (user: FleetUser, deviceId: string) =>
  Object.fromEntries((await user.api.commands(deviceId)).items.map((c: CommandExecution) => [c.command, c.status]));

describe.skipIf(deployedEndpointsFile)('configuration and commands of an offline device', () => {
  const stoppedAfterAll = lastStartedStoppedAfterAll();

  it('reach the device when it comes back, across kill -9 of the platform; the API and the device page show their final state', async () => {
    const first = stoppedAfterAll(await startPlatformProcess());
    const user = await createUser(first);
    const device = await user.api.registerDevice('e2e offline');
    const id = device.device.deviceId;

    // Sent while the device has never connected.
    const changed = await user.api.changeConfig(id, { desired: { reportIntervalSeconds: 0.5, site: 'north' } });
    expect(changed).toMatchObject({ version: 1, pending: { reportIntervalSeconds: 0.5, site: 'north' }, reported: {} });
    const ping = await user.api.sendCommand(id, { command: 'ping' });
    const reboot = await user.api.sendCommand(id, { command: 'reboot' });
    expect(ping.targets).toEqual([expect.stringMatching(new RegExp(`:thing/${id}$`))]);
    expect(await statusesOf(user, id)).toEqual({ ping: 'QUEUED', reboot: 'QUEUED' });

    first.child.kill('SIGKILL');
    await new Promise<void>((resolve) =>
      first.child.exitCode !== null || first.child.signalCode !== null ? resolve() : first.child.once('exit', () => resolve()),
    );
    const second = stoppedAfterAll(await startPlatformProcess({ dataDir: first.dataDir, ports: first.ports }));
    const again = await signInAgain(second, user);
    expect(await statusesOf(again, id)).toEqual({ ping: 'QUEUED', reboot: 'QUEUED' });
    expect((await again.api.config(id)).pending).toEqual({ reportIntervalSeconds: 0.5, site: 'north' });

    // The device comes online: it applies the configuration and runs both commands, the reboot included.
    const simulated = await startSimulatedDevice(second, device);
    try {
      await expect
        .poll(() => statusesOf(again, id), { timeout: 30_000, interval: 500 })
        .toEqual({ ping: 'SUCCEEDED', reboot: 'SUCCEEDED' });
      await expect
        .poll(() => again.api.config(id), { timeout: 15_000, interval: 500 })
        .toMatchObject({ pending: {}, reported: { reportIntervalSeconds: 0.5, site: 'north' } });
      const history = (await again.api.commands(id)).items;
      // Sent by the user who registered the device: the name the registry keeps as its owner.
      expect(history.find((c) => c.commandId === ping.commandId)).toMatchObject({
        answer: { pong: expect.any(String) },
        issuedBy: (await again.api.getDevice(id))['ownerName'],
      });
      expect(history.find((c) => c.commandId === reboot.commandId)).toMatchObject({ answer: { rebootedAt: expect.any(String) } });
      expect(simulated.publisher.rate).toBe(2);
      expect(simulated.control).toMatchObject({ commandsSucceeded: 2, commandsFailed: 0 });
      // Readings wait out the reboot instead of failing.
      expect(simulated.publisher.counters.failed).toBe(0);
    } finally {
      await simulated.stop();
    }

    // What the user sees on the device page afterwards: both commands done, the settings applied.
    if (!hasChromium) return;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(second.endpoints.gatewayUrl);
      await signIn(page, user.email, user.password);
      await page.goto(`${second.endpoints.gatewayUrl}/devices/${id}`);
      const statuses = page.getByTestId('commands-panel').getByTestId('command-status');
      await expect.poll(() => statuses.allTextContents(), { timeout: 15_000 }).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      const config = page.getByTestId('config-panel');
      expect(await config.getByTestId('reported-site').textContent()).toBe('north');
      expect(await config.getByTestId('state-reportIntervalSeconds').textContent()).toBe('applied');
    } finally {
      await browser.close();
    }
  }, 240_000);
});

const mosquitto = existsSync('/usr/bin/mosquitto_sub') && existsSync('/usr/bin/mosquitto_pub');

describe.skipIf(deployedEndpointsFile || !mosquitto)('configuration and commands with mosquitto clients', () => {
  let platform: PlatformProcess;
  let user: FleetUser;
  beforeAll(async () => {
    platform = await startPlatformProcess();
    user = await createUser(platform);
  }, 120_000);
  afterAll(() => platform?.stop(), 60_000);

  /** `mosquitto_*` arguments connecting as the device with its own certificate. */
  async function deviceArgs(device: RegisteredDevice): Promise<string[]> {
    const id = device.device.deviceId;
    const folder = await mkdtemp(join(tmpdir(), 'fleet-mosquitto-'));
    await writeFile(join(folder, 'cert.pem'), device.credentials.certificatePem);
    await writeFile(join(folder, 'private.key'), generatedPrivateKey(device.credentials));
    const ca = platform.endpoints.caFile ?? '';
    expect(await readFile(ca, 'utf8')).toContain('BEGIN CERTIFICATE');
    return ['--cafile', ca, '--cert', join(folder, 'cert.pem'), '--key', join(folder, 'private.key')].concat([
      '-h',
      platform.endpoints.mqttHost,
      '-p',
      String(platform.endpoints.mqttPort),
      '-i',
      id,
      '-q',
      '1',
    ]);
  }

  it('mosquitto_sub sees the delta of a change made through the API; mosquitto_pub reports it and completes a command', async () => {
    const device = await user.api.registerDevice('e2e mosquitto');
    const id = device.device.deviceId;
    const args = await deviceArgs(device);

    // The SUBSCRIBE follows the CONNACK at a moment no one can see from outside: change the desired
    // interval (1, 2, ...) until the one-message subscriber has printed a delta and exited.
    const sub = spawn('mosquitto_sub', [...args, '-C', '1', '-W', '30', '-t', `$aws/things/${id}/shadow/update/delta`]);
    let out = '';
    sub.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    let code: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => sub.once('exit', resolve)).then((c) => (code = c));
    for (let seconds = 1; seconds <= 60 && code === undefined; seconds++) {
      await user.api.changeConfig(id, { desired: { mode: 'eco', reportIntervalSeconds: seconds } });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await exited).toBe(0);
    const delta = JSON.parse(out.trim()) as { state: Record<string, unknown>; version: number };
    // Each change is one shadow version, the n-th desiring n seconds.
    expect(delta.state).toMatchObject({ reportIntervalSeconds: delta.version });
    const { desired, version } = await user.api.config(id);

    const pub = (topic: string, message: object) =>
      promisify(execFile)('mosquitto_pub', [...args, '-t', topic, '-m', JSON.stringify(message)], { timeout: 15_000 });
    await pub(`$aws/things/${id}/shadow/update`, { state: { reported: desired } });
    await expect
      .poll(() => user.api.config(id), { timeout: 10_000 })
      .toMatchObject({ pending: {}, reported: desired, version: version + 1 });

    const sent = await user.api.sendCommand(id, { command: 'calibrate', args: { offset: 0.5 } });
    await pub(`$aws/things/${id}/jobs/${sent.commandId}/update`, { status: 'IN_PROGRESS' });
    await expect.poll(() => statusesOf(user, id), { timeout: 10_000 }).toEqual({ calibrate: 'IN_PROGRESS' });
    await pub(`$aws/things/${id}/jobs/${sent.commandId}/update`, { status: 'SUCCEEDED', statusDetails: { offset: '0.5' } });
    await expect
      .poll(async () => (await user.api.commands(id)).items[0], { timeout: 10_000 })
      .toMatchObject({
        commandId: sent.commandId,
        command: 'calibrate',
        args: { offset: 0.5 },
        status: 'SUCCEEDED',
        answer: { offset: '0.5' },
      });
  }, 120_000);
});
