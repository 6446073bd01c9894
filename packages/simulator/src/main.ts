/**
 * `npm run simulate -- --devices 100 --rate 1`: a fleet of simulated devices publishing telemetry
 * over MQTT/TLS with QoS 1. Provisions devices through the public API (or reuses saved ones),
 * shows progress, and stops cleanly on Ctrl-C, reporting what the broker acknowledged.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readEndpointsFile } from '@fleet/core/endpoints-file';
import { FleetApiError, createFleetApi } from './fleet-api-client.ts';
import { followShadowAndJobs, type ControlCounters } from './device-control.ts';
import { connectDevice, type DevicePublisher } from './device-publisher.ts';
import { loadDevices, saveDevice, type StoredDevice } from './device-store.ts';
import { parseExcursion, withExcursions } from './excursions.ts';
import { createDeviceSignals } from './signals.ts';
import { simulatorTokens } from './simulator-user.ts';

const usage = `Usage: npm run simulate -- [options]
  --devices <n>      number of devices (default 10)
  --rate <r>         readings per second per device (default 1)
  --duration <s>     stop after s seconds (default: until Ctrl-C)
  --count <n>        stop each device after n readings
  --prefix <p>       device id prefix (default sim)
  --endpoints <f>    endpoints file (default .fleet/endpoints.json, written by npm start)
  --no-control       do not follow shadows and jobs (publish telemetry only)
  --verbose          print each setting applied and each command executed
  --excursion <m=v[@a][+f]>  hold metric m at value v from a seconds after the start for f seconds
                     (e.g. temperature=95@20+60 to see an alarm fire and clear; repeatable)
  --email, --password  the user to register devices as (required against AWS)

Each device follows its configuration (classic shadow: reportIntervalSeconds and any custom
setting, reported back) and executes its commands (AWS IoT jobs: reboot, set-interval, ping).`;

/** How long a simulated reboot keeps the device offline. */
const rebootPauseMs = 1000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '10' },
      rate: { type: 'string', default: '1' },
      duration: { type: 'string' },
      count: { type: 'string' },
      prefix: { type: 'string', default: 'sim' },
      endpoints: { type: 'string', default: '.fleet/endpoints.json' },
      email: { type: 'string' },
      password: { type: 'string' },
      'no-control': { type: 'boolean' },
      verbose: { type: 'boolean' },
      excursion: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(usage);
  const devices = positive('--devices', values.devices);
  const rate = positive('--rate', values.rate);
  const duration = values.duration === undefined ? undefined : positive('--duration', values.duration);
  const count = values.count === undefined ? undefined : positive('--count', values.count);
  const excursions = (values.excursion ?? []).map(parseExcursion);
  // AWS IoT accepts 100 publishes/s per connection; a faster device would be throttled there.
  if (rate > 100) throw new Error(`--rate ${rate} exceeds AWS IoT's 100 publishes per second per connection`);

  const endpointsFile = resolve(values.endpoints);
  const endpoints = await readEndpointsFile(endpointsFile);
  const stateDir = join(dirname(endpointsFile), 'simulator');
  const storeDir = join(stateDir, 'devices');
  const tokens = await simulatorTokens(endpoints, { email: values.email, password: values.password }, stateDir);
  const api = createFleetApi(endpoints, tokens);

  const stored = new Map((await loadDevices(storeDir)).map((d) => [d.deviceId, d]));
  const fleet: StoredDevice[] = [];
  for (let i = 1; i <= devices; i++) {
    const deviceId = `${values.prefix}-${String(i).padStart(4, '0')}`;
    const known = stored.get(deviceId);
    if (known) {
      fleet.push(known);
      continue;
    }
    try {
      const registered = await api.registerDevice(`Simulated device ${i}`, deviceId);
      const device = { deviceId, cert: registered.credentials.certificatePem, key: registered.credentials.privateKey };
      await saveDevice(storeDir, device);
      fleet.push(device);
    } catch (err) {
      if (err instanceof FleetApiError && err.status === 409) {
        throw new Error(`device ${deviceId} exists but its private key is not in ${storeDir}; use another --prefix or delete it`);
      }
      throw err;
    }
  }
  console.log(`${fleet.length} devices ready (${stored.size} reused); connecting to ${endpoints.mqttHost}:${endpoints.mqttPort}`);

  // Without a CA file (a deployed stack's may omit it) the system's trust store, which holds Amazon Root CA 1, applies.
  const ca = endpoints.caFile === undefined ? undefined : await readFile(endpoints.caFile, 'utf8');
  const publishers: DevicePublisher[] = [];
  // Excursion windows count from here, when the devices start connecting.
  const runStartedAt = Date.now();
  const controls: ControlCounters[] = [];
  const log = values.verbose ? (line: string) => console.log(`\n${line}`) : undefined;
  for (const [index, device] of fleet.entries()) {
    const publisher = await connectDevice(
      { deviceId: device.deviceId, host: endpoints.mqttHost, port: endpoints.mqttPort, ca, cert: device.cert, key: device.key },
      withExcursions(createDeviceSignals(index + 1), excursions, runStartedAt),
    );
    publishers.push(publisher);
    if (values['no-control']) continue;
    publisher.setRate(rate);
    controls.push(
      await followShadowAndJobs(
        {
          deviceId: device.deviceId,
          client: publisher.client,
          knobs: () => ({ reportIntervalSeconds: 1 / publisher.rate }),
          apply: (knobs) => publisher.setRate(1 / knobs.reportIntervalSeconds),
          reboot: () => publisher.reconnect(rebootPauseMs),
        },
        log,
      ),
    );
  }

  const started = Date.now();
  const totals = () =>
    publishers.reduce(
      (t, p) => ({ sent: t.sent + p.counters.sent, acked: t.acked + p.counters.acked, failed: t.failed + p.counters.failed }),
      { sent: 0, acked: 0, failed: 0 },
    );
  let lastAcked = 0;
  const progress = setInterval(() => {
    const t = totals();
    process.stdout.write(`\r  sent ${t.sent}  acknowledged ${t.acked}  failed ${t.failed}  ${t.acked - lastAcked} msg/s   `);
    lastAcked = t.acked;
  }, 1000);

  let stopping: Promise<void> | undefined;
  const stopAll = () => (stopping ??= Promise.all(publishers.map((p) => p.stop())).then(() => undefined));
  process.once('SIGINT', () => void stopAll());
  process.once('SIGTERM', () => void stopAll());
  const timer = duration === undefined ? undefined : setTimeout(() => void stopAll(), duration * 1000);

  await Promise.all(publishers.map((p) => p.run({ rate, count })));
  await stopAll();
  clearTimeout(timer);
  clearInterval(progress);
  const t = totals();
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `\n${t.acked} of ${t.sent} readings acknowledged by IoT Core (QoS 1), ${t.failed} failed, in ${seconds.toFixed(1)} s (${(t.acked / seconds).toFixed(0)}/s)`,
  );
  if (controls.length > 0) {
    const sum = (pick: (c: ControlCounters) => number) => controls.reduce((n, c) => n + pick(c), 0);
    console.log(
      `settings applied ${sum((c) => c.settingsApplied)}, commands succeeded ${sum((c) => c.commandsSucceeded)}, failed or rejected ${sum((c) => c.commandsFailed)}`,
    );
  }
}

function positive(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number, received "${raw}"\n\n${usage}`);
  return n;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
