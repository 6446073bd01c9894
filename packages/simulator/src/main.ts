/**
 * `npm run simulate -- --devices 100 --rate 1`: a fleet of simulated devices publishing telemetry
 * over MQTT/TLS with QoS 1 (or AWS IoT's HTTPS publish, `--transport https`). Provisions devices
 * through the public API (or reuses saved ones), buffers each device's readings on disk until
 * acknowledged (store-and-forward, either transport), shows progress, and stops cleanly on Ctrl-C,
 * reporting what IoT Core acknowledged and what the platform stored.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generatedPrivateKey, iotQuotas } from '@fleet/core';
import { readEndpointsFile, type EndpointsFile } from '@fleet/core/endpoints-file';
import { createDeviceKey } from '@fleet/core/device-key';
import { backfillDevices, describeOutcome } from './backfill-import.ts';
import { backfillLimits, parseBackfillDuration, planBackfill, type BackfillPlan } from './backfill-plan.ts';
import { FleetApiError, createFleetApi, type FleetApi } from './fleet-api-client.ts';
import { followShadowAndJobs, type ControlCounters } from './device-control.ts';
import { defaultSendRate, type BufferGauge, type DevicePublisher, type PublisherOptions } from './device-publisher.ts';
import { loadDevices, outboxFile, saveDevice, type StoredDevice } from './device-store.ts';
import { writeDevicesCsv, type CreatedDevice } from './devices-csv.ts';
import { createHttpsDevice } from './https-publisher.ts';
import { connectDevice } from './mqtt-publisher.ts';
import { parseExcursion, withExcursions } from './excursions.ts';
import { openOutbox } from './outbox.ts';
import { progressLine, runCounts, summary } from './run-counts.ts';
import { createDeviceSignals } from './signals.ts';
import { fleetByClaim, type ClaimFiles } from './fleet-setup.ts';
import { simulatorTokens } from './simulator-user.ts';
import { settledStoredCount } from './stored-check.ts';

const defaultMaxBuffered = 100_000;

const usage = `Usage: npm run simulate -- [options]
  --devices <n>      number of devices (default 10)
  --rate <r>         readings per second per device (default 1)
  --duration <s>     stop after s seconds (default: until Ctrl-C)
  --count <n>        stop each device after n readings
  --prefix <p>       device id prefix (default sim)
  --endpoints <f>    endpoints file (default .fleet/endpoints.json, written by npm start)
  --transport <t>    mqtt (default: MQTT/TLS, QoS 1) or https (AWS IoT's HTTPS publish: one POST
                     /topics/<topic>?qos=1 a reading with the device certificate, acknowledged on
                     200; no shadows or jobs). IoT Core allows it only for a certificate whose
                     common name is the device id (see the README's "Publish over HTTPS")
  --no-control       do not follow shadows and jobs (publish telemetry only)
  --csr              each new device makes its own key pair (EC P-256) and sends a CSR: registered
                     through the API, or with --provision-by-claim on $aws/certificates/create-from-csr/json;
                     its private key never leaves the simulator's store
  --verbose          print each setting applied and each command executed
  --excursion <m=v[@a][+f]>  hold metric m at value v from a seconds after the start for f seconds
                     (e.g. temperature=95@20+60 to see an alarm fire and clear; repeatable)
  --email, --password  the user to register devices as (required against AWS)
  --backfill <d>     first import each device's history over d (30m, 12h, 7d, 1y; at most 1y and
                     ${backfillLimits.maxReadings} readings a device) through an import data job, then publish live
  --backfill-only    import the history and stop
  --backfill-until <t>  end of the history (exclusive; ISO 8601 or epoch ms; default now)
  --provision-by-claim  provision new devices by claim (AWS IoT fleet provisioning) instead of the API:
                     each connects with the claim certificate, gets its own certificate and registers
                     as thing fleet-<prefix>-<n> (the serial number <prefix>-<n>)
  --claim-connections <n>  claim connections provisioning in parallel (default 4)
  --claim-cert <f> --claim-key <f> --template <name>  the claim certificate, its key and the
                     provisioning template (default: the endpoints file's "claim", written by npm start)
  --buffer-dir <d>   where each device's outbox of readings not yet acknowledged is kept
                     (default: next to its credentials, <endpoints folder>/simulator/devices/<id>/outbox.jsonl)
  --max-buffered <n> readings an outbox keeps at most, per device; past it the oldest waiting one is
                     dropped and counted (default ${defaultMaxBuffered})
  --no-buffer        no outbox on disk: a device that cannot send stops producing readings
  --csv <file>       write the devices this run registered (ids, certificate, file paths) as CSV

Store-and-forward: every reading enters its device's outbox on disk when it is produced and leaves
it on its acknowledgement (PUBACK; HTTPS: 200, while 429, 5xx or no answer hold the device back
with a backoff and 403 drops the reading as refused). While a device is disconnected it keeps
producing readings (their own ts and seq) into the outbox; when it is back the backlog is sent first, oldest first, at most ${defaultSendRate} publishes/s
(AWS IoT's ${iotQuotas.publishesPerSecondPerConnection}/s per connection, less room for shadow and jobs traffic), then the live readings.
A run stopped with readings still buffered leaves them for the next run, which sends them first.
At the end the run reads back how many acknowledged readings are stored and prints
published + carried over = acknowledged + buffered + dropped, and stored = acknowledged.

A backfill's rows sit on a grid from the Unix epoch: row k has ts = k × period and seq = k, the
period being 1000 / rate ms (widened to duration / ${backfillLimits.maxReadings} when that is longer).
The same devices, duration, rate and end give the same (ts, seq), so a re-run stores nothing twice
(the report counts duplicates); live publishing then continues each device's seq after the last row.

Each device follows its configuration (classic shadow: reportIntervalSeconds and any custom
setting, reported back) and executes its commands (AWS IoT jobs: reboot, set-interval, ping).`;

/** How long a simulated reboot keeps the device offline. */
const rebootPauseMs = 1000;

type Registered = Awaited<ReturnType<FleetApi['registerDevice']>>;

async function registerWithGeneratedKey(
  api: FleetApi,
  i: number,
  deviceId: string,
): Promise<{ device: StoredDevice; registered: Registered }> {
  const registered = await api.registerDevice(`Simulated device ${i}`, deviceId);
  return {
    device: { deviceId, cert: registered.credentials.certificatePem, key: generatedPrivateKey(registered.credentials) },
    registered,
  };
}

/** The device makes its key and sends only the CSR: the answer carries the certificate alone. */
async function registerWithCsr(api: FleetApi, i: number, deviceId: string): Promise<{ device: StoredDevice; registered: Registered }> {
  const { privateKeyPem, csrPem } = await createDeviceKey(deviceId);
  const registered = await api.registerDevice(`Simulated device ${i}`, deviceId, csrPem);
  if (registered.credentials.privateKey !== undefined) throw new Error(`registering ${deviceId} with a CSR answered a private key`);
  return { device: { deviceId, cert: registered.credentials.certificatePem, key: privateKeyPem }, registered };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '10' },
      rate: { type: 'string', default: '1' },
      duration: { type: 'string' },
      count: { type: 'string' },
      prefix: { type: 'string', default: 'sim' },
      endpoints: { type: 'string', default: '.fleet/endpoints.json' },
      transport: { type: 'string', default: 'mqtt' },
      email: { type: 'string' },
      password: { type: 'string' },
      'no-control': { type: 'boolean' },
      csr: { type: 'boolean' },
      verbose: { type: 'boolean' },
      excursion: { type: 'string', multiple: true },
      backfill: { type: 'string' },
      'backfill-only': { type: 'boolean' },
      'backfill-until': { type: 'string' },
      'provision-by-claim': { type: 'boolean' },
      'claim-connections': { type: 'string', default: '4' },
      'claim-cert': { type: 'string' },
      'claim-key': { type: 'string' },
      template: { type: 'string' },
      'buffer-dir': { type: 'string' },
      'max-buffered': { type: 'string', default: String(defaultMaxBuffered) },
      'no-buffer': { type: 'boolean' },
      csv: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(usage);
  const devices = positive('--devices', values.devices);
  const rate = positive('--rate', values.rate);
  const duration = values.duration === undefined ? undefined : positive('--duration', values.duration);
  const count = values.count === undefined ? undefined : positive('--count', values.count);
  const maxBuffered = positiveInteger('--max-buffered', values['max-buffered']);
  const excursions = (values.excursion ?? []).map(parseExcursion);
  const transport = values.transport;
  if (transport !== 'mqtt' && transport !== 'https')
    throw new Error(`--transport must be mqtt or https, received "${transport}"\n\n${usage}`);
  // A faster device would be throttled by AWS IoT (and its connection closed).
  if (rate > defaultSendRate) {
    throw new Error(
      `--rate ${rate} exceeds ${defaultSendRate} publishes per second (AWS IoT's ${iotQuotas.publishesPerSecondPerConnection} per connection, less control traffic)`,
    );
  }
  if (values['no-buffer'] && values['buffer-dir'] !== undefined)
    throw new Error(`--buffer-dir and --no-buffer exclude each other\n\n${usage}`);
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

  // Without a CA file (a deployed stack's may omit it) the system's trust store, which holds Amazon Root CA 1, applies.
  const ca = endpoints.caFile === undefined ? undefined : await readFile(endpoints.caFile, 'utf8');
  const saved = new Map((await loadDevices(storeDir)).map((d) => [d.deviceId, d]));
  const fleet: StoredDevice[] = [];
  const created: CreatedDevice[] = [];
  if (values['provision-by-claim']) {
    const started = Date.now();
    const claimed = await fleetByClaim(saved, {
      devices,
      prefix: values.prefix,
      storeDir,
      ca,
      host: endpoints.mqttHost,
      port: endpoints.mqttPort,
      claim: claimOf(values, endpoints),
    });
    fleet.push(...claimed);
    console.log(`provisioned by claim in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  for (let i = 1; i <= devices && !values['provision-by-claim']; i++) {
    const deviceId = `${values.prefix}-${String(i).padStart(4, '0')}`;
    const known = saved.get(deviceId);
    if (known) {
      fleet.push(known);
      continue;
    }
    try {
      const { device, registered } = values.csr
        ? await registerWithCsr(api, i, deviceId)
        : await registerWithGeneratedKey(api, i, deviceId);
      const files = await saveDevice(storeDir, device);
      fleet.push(device);
      const { name, certificateArn, certificateId, createdAt } = registered.device;
      created.push({ deviceId, name, certificateArn, certificateId, createdAt, ...files });
    } catch (err) {
      if (err instanceof FleetApiError && err.status === 409) {
        throw new Error(`device ${deviceId} exists but its private key is not in ${storeDir}; use another --prefix or delete it`);
      }
      throw err;
    }
  }
  console.log(`${fleet.length} devices ready (${fleet.filter((d) => saved.has(d.deviceId)).length} reused)`);
  if (values.csv !== undefined) {
    await writeDevicesCsv(resolve(values.csv), created);
    console.log(`${created.length} devices created this run written to ${resolve(values.csv)}`);
  }
  if (plan) {
    await backfill(api, plan, fleet);
    if (values['backfill-only']) return;
  }
  const port = transport === 'https' ? endpoints.iotHttpsPort : endpoints.mqttPort;
  console.log(`${transport === 'https' ? 'publishing over HTTPS to' : 'connecting to'} ${endpoints.mqttHost}:${port}`);

  const publishers: DevicePublisher[] = [];
  // Excursion windows count from here, when the devices start connecting.
  const runStartedAt = Date.now();
  const controls: ControlCounters[] = [];
  const log = values.verbose ? (line: string) => console.log(`\n${line}`) : undefined;
  const bufferDir = values['buffer-dir'] === undefined ? storeDir : resolve(values['buffer-dir']);
  const gauge: BufferGauge = { now: 0, max: 0 };
  for (const [index, device] of fleet.entries()) {
    const connection = { deviceId: device.deviceId, host: endpoints.mqttHost, port, ca, cert: device.cert, key: device.key };
    const signals = withExcursions(createDeviceSignals(index + 1), excursions, runStartedAt);
    const options: PublisherOptions = {
      outbox: values['no-buffer']
        ? openOutbox(undefined, { maxBuffered })
        : openOutbox(outboxFile(bufferDir, device.deviceId), { maxBuffered }),
      bufferOffline: !values['no-buffer'],
      gauge,
    };
    if (transport === 'https') {
      publishers.push(createHttpsDevice(connection, signals, options));
      continue;
    }
    const publisher = await connectDevice(connection, signals, options);
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
  if (gauge.now > 0) console.log(`${gauge.now} readings buffered by an earlier run are sent first`);
  let lastAcked = 0;
  const progress = setInterval(() => {
    const counts = runCounts(publishers, gauge);
    process.stdout.write(`\r${progressLine(counts, counts.acknowledged - lastAcked)}`);
    lastAcked = counts.acknowledged;
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
  const counts = runCounts(publishers, gauge);
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `\n${counts.acknowledged} of ${counts.published + counts.carriedOver} readings acknowledged by IoT Core (${transport === 'https' ? 'HTTPS 200' : 'QoS 1'}), ${counts.failed} publishes retried, in ${seconds.toFixed(1)} s (${(counts.acknowledged / seconds).toFixed(0)}/s)`,
  );
  const stored = await storedCount(endpoints, { email: values.email, password: values.password }, stateDir, publishers);
  const report = summary(counts, stored);
  for (const line of report.lines) console.log(line);
  if (!report.agree) process.exitCode = 1;
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

/** How many of the readings acknowledged in this run are stored; undefined (and why) when the platform does not answer. */
async function storedCount(
  endpoints: EndpointsFile,
  login: { email?: string | undefined; password?: string | undefined },
  stateDir: string,
  publishers: readonly DevicePublisher[],
): Promise<number | undefined> {
  console.log('reading back what is stored…');
  try {
    // Signed in again: a long run outlives the access token it started with.
    const api = createFleetApi(endpoints, await simulatorTokens(endpoints, login, stateDir));
    return await settledStoredCount(api, publishers);
  } catch (err) {
    console.log(`could not read the stored readings: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

function claimOf(
  values: { 'claim-cert'?: string; 'claim-key'?: string; template?: string; 'claim-connections': string; csr?: boolean },
  endpoints: { claim?: ClaimFiles },
): ClaimFiles & { connections: number; csr: boolean } {
  const certificateFile = values['claim-cert'] ?? endpoints.claim?.certificateFile;
  const privateKeyFile = values['claim-key'] ?? endpoints.claim?.privateKeyFile;
  const templateName = values.template ?? endpoints.claim?.templateName;
  if (!certificateFile || !privateKeyFile || !templateName) {
    throw new Error(
      `--provision-by-claim needs --claim-cert, --claim-key and --template (the endpoints file names no claim certificate)\n\n${usage}`,
    );
  }
  const connections = positive('--claim-connections', values['claim-connections']);
  return { certificateFile, privateKeyFile, templateName, connections, csr: values.csr === true };
}

function parseUntil(raw: string | undefined): number {
  if (raw === undefined) return Date.now();
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isSafeInteger(ms)) throw new Error(`--backfill-until expects ISO 8601 or epoch ms, received "${raw}"`);
  return ms;
}

function positiveInteger(flag: string, raw: string): number {
  const n = positive(flag, raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${flag} must be a positive integer, received "${raw}"\n\n${usage}`);
  return n;
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
