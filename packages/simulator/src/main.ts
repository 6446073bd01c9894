/**
 * `npm run simulate -- --devices 100 --rate 1`: a fleet of simulated devices publishing telemetry
 * over MQTT/TLS with QoS 1 (or AWS IoT's HTTPS publish with `--transport https`). Provisions devices through the public API (or reuses saved ones),
 * shows progress, and stops cleanly on Ctrl-C, reporting what the broker acknowledged.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readEndpointsFile } from '@fleet/core/endpoints-file';
import { backfillDevices, describeOutcome } from './backfill-import.ts';
import { backfillLimits, parseBackfillDuration, planBackfill, type BackfillPlan } from './backfill-plan.ts';
import { FleetApiError, createFleetApi, type FleetApi } from './fleet-api-client.ts';
import { followShadowAndJobs, type ControlCounters } from './device-control.ts';
import { connectDevice, type DevicePublisher } from './device-publisher.ts';
import { createHttpsDevice } from './https-publisher.ts';
import type { ReadingLoop } from './reading-loop.ts';
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
  --transport <t>    mqtt (default: MQTT/TLS, QoS 1) or https (AWS IoT's HTTPS publish, one POST
                     /topics/<topic>?qos=1 a reading with the device certificate, acknowledged on
                     200, retried with backoff on 429 and 5xx; no shadows or jobs: --no-control)
  --no-control       do not follow shadows and jobs (publish telemetry only)
  --verbose          print each setting applied and each command executed
  --excursion <m=v[@a][+f]>  hold metric m at value v from a seconds after the start for f seconds
                     (e.g. temperature=95@20+60 to see an alarm fire and clear; repeatable)
  --email, --password  the user to register devices as (required against AWS)
  --backfill <d>     first import each device's history over d (30m, 12h, 7d, 1y; at most 1y and
                     ${backfillLimits.maxReadings} readings a device) through an import data job, then publish live
  --backfill-only    import the history and stop
  --backfill-until <t>  end of the history (exclusive; ISO 8601 or epoch ms; default now)

A backfill's rows sit on a grid from the Unix epoch: row k has ts = k × period and seq = k, the
period being 1000 / rate ms (widened to duration / ${backfillLimits.maxReadings} when that is longer).
The same devices, duration, rate and end give the same (ts, seq), so a re-run stores nothing twice
(the report counts duplicates); live publishing then continues each device's seq after the last row.

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
      transport: { type: 'string', default: 'mqtt' },
      'no-control': { type: 'boolean' },
      verbose: { type: 'boolean' },
      excursion: { type: 'string', multiple: true },
      backfill: { type: 'string' },
      'backfill-only': { type: 'boolean' },
      'backfill-until': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(usage);
  const devices = positive('--devices', values.devices);
  const rate = positive('--rate', values.rate);
  const duration = values.duration === undefined ? undefined : positive('--duration', values.duration);
  const count = values.count === undefined ? undefined : positive('--count', values.count);
  const excursions = (values.excursion ?? []).map(parseExcursion);
  const transport = values.transport;
  if (transport !== 'mqtt' && transport !== 'https') throw new Error(`--transport must be mqtt or https, received "${transport}"`);
  // AWS IoT accepts 100 publishes/s per connection; a faster device would be throttled there.
  if (rate > 100) throw new Error(`--rate ${rate} exceeds AWS IoT's 100 publishes per second per connection`);
  if (values.backfill === undefined && (values['backfill-only'] || values['backfill-until'] !== undefined)) {
    throw new Error(`--backfill-only and --backfill-until need --backfill <duration>\n\n${usage}`);
  }
  const plan =
    values.backfill === undefined
      ? undefined
      : planBackfill({ durationMs: parseBackfillDuration(values.backfill), rate, until: parseUntil(values['backfill-until']) });

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
  console.log(`${fleet.length} devices ready (${stored.size} reused)`);
  if (plan) {
    await backfill(api, plan, fleet);
    if (values['backfill-only']) return;
  }
  const port = transport === 'https' ? endpoints.iotHttpsPort : endpoints.mqttPort;
  console.log(`${transport === 'https' ? 'publishing over HTTPS to' : 'connecting to'} ${endpoints.mqttHost}:${port}`);

  // Without a CA file (a deployed stack's may omit it) the system's trust store, which holds Amazon Root CA 1, applies.
  const ca = endpoints.caFile === undefined ? undefined : await readFile(endpoints.caFile, 'utf8');
  const publishers: ReadingLoop[] = [];
  // Excursion windows count from here, when the devices start connecting.
  const runStartedAt = Date.now();
  const controls: ControlCounters[] = [];
  const log = values.verbose ? (line: string) => console.log(`\n${line}`) : undefined;
  for (const [index, device] of fleet.entries()) {
    const connection = { deviceId: device.deviceId, host: endpoints.mqttHost, port, ca, cert: device.cert, key: device.key };
    const signals = withExcursions(createDeviceSignals(index + 1), excursions, runStartedAt);
    if (transport === 'https') {
      publishers.push(createHttpsDevice(connection, signals));
      continue;
    }
    const publisher: DevicePublisher = await connectDevice(connection, signals);
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

  await Promise.all(publishers.map((p) => p.run({ rate, count, ...(plan ? { startSeq: plan.nextSeq } : {}) })));
  await stopAll();
  clearTimeout(timer);
  clearInterval(progress);
  const t = totals();
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `\n${t.acked} of ${t.sent} readings acknowledged by IoT Core (${transport === 'https' ? 'HTTPS 200' : 'QoS 1'}), ${t.failed} failed, in ${seconds.toFixed(1)} s (${(t.acked / seconds).toFixed(0)}/s)`,
  );
  if (controls.length > 0) {
    const sum = (pick: (c: ControlCounters) => number) => controls.reduce((n, c) => n + pick(c), 0);
    console.log(
      `settings applied ${sum((c) => c.settingsApplied)}, commands succeeded ${sum((c) => c.commandsSucceeded)}, failed or rejected ${sum((c) => c.commandsFailed)}`,
    );
  }
}

async function backfill(api: FleetApi, plan: BackfillPlan, fleet: readonly StoredDevice[]): Promise<void> {
  const range = `${new Date(plan.from).toISOString()} … ${new Date(plan.until).toISOString()}`;
  if (plan.cappedFrom !== undefined) {
    console.log(`--rate over this range would give ${plan.cappedFrom} readings a device, over the bound of ${backfillLimits.maxReadings}`);
  }
  console.log(
    `backfilling ${plan.count} readings a device, one every ${plan.periodMs} ms, ${range} (seq ${plan.firstSeq}…${plan.nextSeq - 1})`,
  );
  const outcomes = await backfillDevices({
    api,
    plan,
    // The seeds live publishing uses, so the history looks like the device.
    devices: fleet.map((d, index) => ({ deviceId: d.deviceId, signals: createDeviceSignals(index + 1) })),
    onProgress: (job) =>
      process.stdout.write(`\r  ${job.status} ${job.progress.done} of ${job.progress.total ?? '?'} ${job.progress.unit}   `),
    onOutcome: (o) => console.log(`\r${describeOutcome(o)}`),
  });
  const failed = outcomes.filter((o) => o.error !== undefined).length;
  if (failed > 0) throw new Error(`${failed} of ${outcomes.length} import jobs failed`);
}

function parseUntil(raw: string | undefined): number {
  if (raw === undefined) return Date.now();
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isSafeInteger(ms)) throw new Error(`--backfill-until expects ISO 8601 or epoch ms, received "${raw}"`);
  return ms;
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
