/**
 * HTTPS ingest end to end, over real processes and sockets: registered devices publish telemetry
 * with AWS IoT's HTTPS publish (`POST /topics/<topic>?qos=1` on the IoT HTTPS port, their X.509
 * certificate, Node's https client and the real curl) → the same rules engine as MQTT → SQS → Data
 * Service → DynamoDB. Every 200 is counted and every acknowledged reading must be stored exactly
 * once; a publish on another device's topic is 403 and stores nothing; the simulator's
 * `--transport https` run reports published = acknowledged = stored.
 *
 * The device policy allows HTTPS publish only to a certificate whose common name is the device id
 * (AWS IoT resolves no thing variable over HTTPS): every certificate the API issues is one (it signs
 * a CSR of CN=<deviceId>, made by the device or by the API), so the devices publish with the
 * credentials registration answered. A CreateKeysAndCertificate certificate ("AWS IoT Certificate",
 * made through the AWS port: aws-generated-certificate.ts, which makes this suite local only) is refused.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedPrivateKey, iotHttpsPublishPath, topics, type IotHttpsPublishAnswer } from '@fleet/core';
import { dataLayout } from '@fleet/local-cloud';
import { saveDevice } from '@fleet/simulator';
import { withAwsGeneratedCertificate } from './aws-generated-certificate.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { allStoredReadings, createUser, waitForStored, type FleetUser, type RegisteredDevice } from './fleet-user.ts';
import { repoRoot, startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { simulatorArgs } from './simulator-command.ts';

const run = promisify(execFile);

describe.skipIf(deployedEndpointsFile)('HTTPS ingest end to end', () => {
  let platform: PlatformProcess;
  let user: FleetUser;
  let ca: string;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    user = await createUser(platform);
    ca = await readFile(platform.endpoints.caFile, 'utf8');
  }, 120_000);
  afterAll(() => platform?.stop(), 60_000);

  /** One device's HTTPS publisher: a keep-alive agent with its certificate, as a device keeps one TLS session. */
  function httpsDevice(device: RegisteredDevice) {
    const agent = new Agent({
      keepAlive: true,
      maxSockets: 4,
      ca,
      cert: device.credentials.certificatePem,
      key: device.credentials.privateKey,
    });
    const post = (topic: string, body: string) =>
      new Promise<{ status: number; answer: IotHttpsPublishAnswer }>((resolve, reject) => {
        const req = request(
          {
            host: platform.endpoints.mqttHost,
            port: platform.endpoints.iotHttpsPort,
            method: 'POST',
            path: iotHttpsPublishPath(topic, 1),
            agent,
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, answer: JSON.parse(text) as IotHttpsPublishAnswer }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    return { post, close: () => agent.destroy() };
  }

  it('stores every reading answered 200 exactly once, and a 429 (over 100/s) is sent again as a device would', async () => {
    const device = await user.api.registerDevice('e2e https');
    const id = device.device.deviceId;
    const publisher = httpsDevice(device);
    const base = Date.now() - 60_000;
    const total = 300;
    let acknowledged = 0;
    let throttled = 0;
    // Four in flight at a time, as a small device with a keep-alive pool would.
    const queue = Array.from({ length: total }, (_, i) => i + 1);
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let seq = queue.shift(); seq !== undefined; seq = queue.shift()) {
          const body = JSON.stringify({ ts: base + seq, seq, temperature: 20 + (seq % 10) });
          for (;;) {
            const { status, answer } = await publisher.post(topics.telemetry(id), body);
            if (status === 200) {
              expect(answer.message).toBe('OK');
              acknowledged += 1;
              break;
            }
            expect(status).toBe(429);
            throttled += 1;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }),
    );
    publisher.close();
    expect(acknowledged).toBe(total);
    const stored = await waitForStored(user, id, base, base + total, total);
    expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    console.log(`https ingest: ${acknowledged} acknowledged, ${stored.length} stored, ${throttled} answered 429 and sent again`);
  }, 120_000);

  it("answers 403 Forbidden on another device's topic, and to a CreateKeysAndCertificate certificate on its own, and stores nothing", async () => {
    const [mine, registered] = await Promise.all([user.api.registerDevice('e2e https mine'), user.api.registerDevice('e2e https theirs')]);
    const theirs = await withAwsGeneratedCertificate(platform, registered);
    const base = Date.now() - 5_000;
    const reading = JSON.stringify({ ts: base, seq: 1, temperature: 99 });
    const publisher = httpsDevice(mine);
    const spoof = await publisher.post(topics.telemetry(theirs.device.deviceId), reading);
    publisher.close();
    expect([spoof.status, spoof.answer.message]).toEqual([403, 'Forbidden']);
    // CreateKeysAndCertificate's certificate, common name "AWS IoT Certificate" (e.g. a device provisioned by claim): MQTT only.
    const generated = httpsDevice(theirs);
    const own = await generated.post(topics.telemetry(theirs.device.deviceId), reading);
    generated.close();
    expect(own.status).toBe(403);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await allStoredReadings(user, theirs.device.deviceId, base - 1000, base + 1000)).toEqual([]);
  }, 60_000);

  it.skipIf(!existsSync('/usr/bin/curl'))(
    'stores the reading published by the curl command registration answers, run as printed with the files registration gave',
    async () => {
      const device = await user.api.registerDevice('e2e curl');
      const id = device.device.deviceId;
      const folder = await mkdtemp(join(tmpdir(), 'fleet-curl-'));
      await writeFile(join(folder, 'root-ca.pem'), await (await fetch(device.credentials.caUrl)).text());
      await writeFile(join(folder, `${id}.cert.pem`), device.credentials.certificatePem);
      await writeFile(join(folder, `${id}.private.key`), generatedPrivateKey(device.credentials));
      const before = Date.now();
      // The command the register page shows (device-credentials.ts), aimed at this platform's HTTPS publish port.
      const curl = device.credentials.curlPublish ?? '';
      const url = `https://${platform.endpoints.mqttHost}:${platform.endpoints.iotHttpsPort}${iotHttpsPublishPath(topics.telemetry(id), 1)}`;
      expect(curl).toContain(`-X POST '${url}'`);
      const { stdout } = await run('bash', ['-c', `${curl} --silent --show-error --fail`], {
        cwd: folder,
        timeout: 15_000,
      });
      await rm(folder, { recursive: true, force: true });
      expect(JSON.parse(stdout)).toMatchObject({ message: 'OK' });
      const stored = await waitForStored(user, id, before - 5000, Date.now() + 5000, 1);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ seq: 1, values: { temperature: 21.5 } });
    },
    60_000,
  );

  it('runs the simulator with --transport https through its outbox: published = acknowledged = stored', async () => {
    // The simulator reuses the devices saved in its store: these, with the credentials registration answered.
    const endpointsFile = dataLayout(platform.dataDir).endpointsFile;
    const storeDir = join(dirname(endpointsFile), 'simulator', 'devices');
    for (const deviceId of ['hs-0001', 'hs-0002', 'hs-0003']) {
      const device = await user.api.registerDevice(`e2e ${deviceId}`, deviceId);
      await saveDevice(storeDir, { deviceId, cert: device.credentials.certificatePem, key: generatedPrivateKey(device.credentials) });
    }
    const before = Date.now();
    const { stdout } = await run(
      process.execPath,
      simulatorArgs(platform, ['--transport', 'https', '--devices', '3', '--prefix', 'hs', '--rate', '20', '--count', '40']),
      { cwd: repoRoot, timeout: 120_000 },
    );
    expect(stdout).toContain('3 devices ready (3 reused)');
    expect(stdout).toMatch(/^120 of 120 readings acknowledged by IoT Core \(HTTPS 200\)/m);
    expect(stdout).toMatch(/^published 120, carried over 0, acknowledged 120, buffered 0 \(max \d+\), dropped 0, stored 120$/m);
    expect(stdout).toContain('every reading accounted for: published + carried over = acknowledged + buffered + dropped = 120');
    for (const deviceId of ['hs-0001', 'hs-0002', 'hs-0003']) {
      const stored = await waitForStored(user, deviceId, before - 60_000, Date.now() + 60_000, 40);
      expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    }
  }, 150_000);
});
