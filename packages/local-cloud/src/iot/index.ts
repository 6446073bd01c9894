/**
 * The AWS IoT Core stand-in: local CA, registry + control plane (`iot`), data plane (`iotdata`),
 * IoT Jobs (control plane, `iot-jobs-data` and the device side over MQTT, stored under
 * `<dataDir>/jobs`), the MQTT broker (mutual TLS + SigV4-presigned WebSocket) and the Device Shadow
 * service (over MQTT and the data plane, stored under `<dataDir>/shadows`), wired together.
 */
import { join } from 'node:path';
import { writeFileAtomically } from '../durable-files/atomic-file.ts';
import type { Logger } from 'pino';
import { iotQuotas } from '@fleet/core';
import type { AwsServiceHandler } from '../aws-endpoint/index.ts';
import { loadOrCreateLocalCa } from './ca/local-ca.ts';
import { createControlPlaneHandler } from './control-plane/control-plane-handler.ts';
import { createDataPlaneHandler } from './control-plane/data-plane-handler.ts';
import { createIotBroker, type IotBroker, type MessageListener } from './broker/iot-broker.ts';
import type { ResolveCredentials } from './broker/sigv4-presigned-url.ts';
import { createIotRegistry } from './registry/iot-registry.ts';
import { openRegistryStore } from './registry/registry-store.ts';
import { createJobsDataPlaneHandler } from './jobs/jobs-data-plane-handler.ts';
import { createJobsEngine, type JobsEngine } from './jobs/jobs-engine.ts';
import { createJobsMqttListener } from './jobs/jobs-mqtt-listener.ts';
import { openJobStore } from './jobs/job-store.ts';
import { createShadowStandIn } from './shadow/index.ts';
import { startHttpsPublish, type HttpsPublishListener } from './https-publish/https-publish-server.ts';
import { openTopicRuleStore } from './rules/topic-rule-store.ts';
import { createTopicRules, type DestinationConfirmation, type TopicRules } from './rules/topic-rules.ts';
import { openProvisioningTemplateStore } from './provisioning/provisioning-template-store.ts';
import { createProvisioningTemplates } from './provisioning/provisioning-templates.ts';
import { createOwnershipTokens } from './provisioning/ownership-tokens.ts';
import { createProvisioningMqttListener } from './provisioning/provisioning-mqtt-listener.ts';
import { callHttpHook } from './provisioning/http-hook.ts';
import type { CallHook } from './provisioning/register-thing.ts';

export type { BrokerMessage, MessageListener, MessageOutcome } from './broker/iot-broker.ts';
export type { ResolveCredentials, ResolvedCredentials } from './broker/sigv4-presigned-url.ts';
export { presignIotWebSocketUrl } from './broker/sigv4-presigned-url.ts';
export { evaluatePolicies, connectionContext } from './policy/policy-evaluator.ts';
export type { TopicRules, DestinationConfirmation } from './rules/topic-rules.ts';
export type { TopicRuleRecord, DestinationRecord } from './rules/topic-rule-store.ts';

export interface IotStandInOptions {
  /** The stand-in's own folder (`<data>/iot`): `ca.json`, `registry.json` and the devices' `root-ca.pem`. */
  readonly dataDir: string;
  readonly region: string;
  readonly accountId: string;
  /** Address the broker listens on and DescribeEndpoint answers (e.g. `127.0.0.1`). */
  readonly host: string;
  /** MQTT over mutual TLS (AWS: 8883); 0 = ephemeral. */
  readonly mqttPort: number;
  /** MQTT over WebSocket at `/mqtt` (AWS: 443, wss); plain ws locally; 0 = ephemeral. */
  readonly wsPort: number;
  /** HTTPS publish with a device certificate, `POST /topics/<topic>` (AWS: 8443); 0 = ephemeral. @default 0 */
  readonly httpsPort?: number;
  /** Resolves the credentials of a presigned WebSocket URL (the Cognito identity pool stand-in). */
  readonly resolveCredentials: ResolveCredentials;
  readonly log?: Logger;
  /** AWS IoT's per-connection publish quota (`iotQuotas` in core); 0 disables it, e.g. for benchmarks. */
  readonly maxPublishesPerSecond?: number;
  /** The IoT Jobs clock, epoch ms (tests of execution timeouts inject one). @default Date.now */
  readonly now?: () => number;
  /** The Device Shadow store (LevelDB); `<dataDir>/shadows` by default. */
  readonly shadowDir?: string;
  /**
   * Where the local AWS endpoint answers (e.g. `http://127.0.0.1:4566`): the `enableUrl` of a topic
   * rule destination's confirmation message is `<endpointUrl>/confirmdestination/<token>`.
   * @default http://127.0.0.1:4566
   */
  readonly endpointUrl?: string;
  /** POSTs a destination's confirmation message (tests inject one). @default fetch */
  readonly sendDestinationConfirmation?: (url: string, message: DestinationConfirmation) => Promise<void>;
  /** Calls a provisioning template's pre-provisioning hook (tests inject one). @default POST to its URL */
  readonly callProvisioningHook?: CallHook;
}

export interface IotStandIn {
  /** AWS IoT control plane, SigV4 signing name `iot`. */
  readonly controlHandler: AwsServiceHandler;
  /** AWS IoT data plane, SigV4 signing name `iotdata`. */
  readonly dataHandler: AwsServiceHandler;
  /** AWS IoT Jobs data plane, SigV4 signing name `iot-jobs-data`. */
  readonly jobsDataHandler: AwsServiceHandler;
  /** The IoT Jobs engine (tests drive its timers with `runDueTimeouts()`). */
  readonly jobs: JobsEngine;
  /** Topic rules and destinations (`<dataDir>/topic-rules.json`): the rule set the rules engine runs. */
  readonly topicRules: TopicRules;
  /** Called for every accepted publish: clients, lifecycle events and data-plane Publish. */
  onMessage(listener: MessageListener): void;
  /** Opens the MQTT and HTTPS publish ports; only once the rules engine listens (see iot-broker.ts). */
  listen(): Promise<{ readonly mqttPort: number; readonly wsPort: number; readonly httpsPort: number }>;
  /** Publishes as the service (republish actions, commands). */
  publish(topic: string, payload: Buffer | string, qos: 0 | 1): Promise<void>;
  /** The local root CA devices must trust (the local Amazon Root CA 1). */
  readonly caCertificatePem: string;
  /** The same certificate as a file, for `mosquitto_pub --cafile` and the endpoints file. */
  readonly caFile: string;
  /** The listening ports; reading them before `listen()` throws. */
  readonly mqttPort: number;
  readonly wsPort: number;
  readonly httpsPort: number;
  close(): Promise<void>;
}

export async function createIotStandIn(options: IotStandInOptions): Promise<IotStandIn> {
  const dir = options.dataDir;
  const ca = await loadOrCreateLocalCa({ dir, ...(options.log ? { log: options.log } : {}) });
  const caFile = join(dir, 'root-ca.pem');
  await writeFileAtomically(caFile, ca.caCertificatePem, { mode: 0o644 });
  const registry = createIotRegistry({
    store: openRegistryStore(join(dir, 'registry.json')),
    region: options.region,
    accountId: options.accountId,
  });
  const topicRules = createTopicRules({
    store: openTopicRuleStore(join(dir, 'topic-rules.json')),
    arn: (resource) => registry.arn(resource.split('/')[0] as string, resource.slice(resource.indexOf('/') + 1)),
    enableUrl: (token) => `${options.endpointUrl ?? 'http://127.0.0.1:4566'}/confirmdestination/${token}`,
    ...(options.sendDestinationConfirmation ? { sendConfirmation: options.sendDestinationConfirmation } : {}),
    ...(options.log ? { log: options.log.child({ service: 'topic-rules' }) } : {}),
  });
  // The Jobs engine and the shadow service publish through the broker, which hands device requests
  // to them as service listeners (they do not count as the listener `listen()` waits for).
  let broker: IotBroker | undefined;
  const publishAsService = (topic: string, payload: Buffer | string, qos: 0 | 1) =>
    broker ? broker.publish(topic, payload, qos) : Promise.reject(new Error('the IoT broker is not created yet'));
  const jobs = await createJobsEngine({
    store: await openJobStore(join(dir, 'jobs')),
    registry,
    publish: publishAsService,
    ...(options.now ? { now: options.now } : {}),
    ...(options.log ? { log: options.log.child({ service: 'jobs' }) } : {}),
  });
  const jobsListener = createJobsMqttListener({
    engine: jobs,
    reply: (clientId, topic, payload, qos) => broker?.replyTo(clientId, topic, payload, qos) ?? Promise.resolve(false),
    ...(options.log ? { log: options.log } : {}),
  });
  const provisioningTemplates = createProvisioningTemplates({
    store: openProvisioningTemplateStore(join(dir, 'provisioning-templates.json')),
    arn: (name) => registry.arn('provisioningtemplate', name),
  });
  const provisioningListener = createProvisioningMqttListener({
    registry,
    ca,
    templates: provisioningTemplates,
    tokens: createOwnershipTokens(),
    callHook: options.callProvisioningHook ?? callHttpHook,
    reply: (clientId, topic, payload, qos) => broker?.replyTo(clientId, topic, payload, qos) ?? Promise.resolve(false),
    ...(options.log ? { log: options.log.child({ service: 'fleet-provisioning' }) } : {}),
  });
  const shadows = await createShadowStandIn({
    location: options.shadowDir ?? join(dir, 'shadows'),
    publish: (topic, payload) => publishAsService(topic, payload, 1),
    ...(options.log ? { log: options.log } : {}),
  }).catch(async (err: unknown) => {
    await jobs.close();
    throw err;
  });
  broker = await createIotBroker({
    registry,
    ca,
    host: options.host,
    mqttPort: options.mqttPort,
    wsPort: options.wsPort,
    resolveCredentials: options.resolveCredentials,
    ...(options.log ? { log: options.log } : {}),
    ...(options.maxPublishesPerSecond !== undefined ? { maxPublishesPerSecond: options.maxPublishesPerSecond } : {}),
    serviceListeners: [jobsListener, shadows.listener, provisioningListener],
  }).catch(async (err: unknown) => {
    await jobs.close();
    await shadows.close();
    throw err;
  });
  const started = broker;
  let https: HttpsPublishListener | undefined;
  let closing: Promise<void> | undefined;
  return {
    controlHandler: createControlPlaneHandler({ registry, ca, host: options.host, jobs, topicRules, provisioningTemplates }),
    dataHandler: createDataPlaneHandler({
      publish: (topic, payload, qos) => started.publish(topic, payload, qos),
      shadows: shadows.service,
    }),
    jobsDataHandler: createJobsDataPlaneHandler(jobs),
    jobs,
    topicRules,
    onMessage: (listener: MessageListener) => started.onMessage(listener),
    async listen() {
      const ports = await started.listen();
      https ??= await startHttpsPublish({
        ca,
        registry,
        broker: started,
        host: options.host,
        port: options.httpsPort ?? 0,
        maxPublishesPerSecond: options.maxPublishesPerSecond ?? iotQuotas.publishesPerSecondPerConnection,
        ...(options.log ? { log: options.log.child({ service: 'iot-https' }) } : {}),
      });
      return { ...ports, httpsPort: https.port };
    },
    publish: (topic, payload, qos) => started.publish(topic, payload, qos),
    caCertificatePem: ca.caCertificatePem,
    caFile,
    get mqttPort() {
      return started.mqttPort;
    },
    get wsPort() {
      return started.wsPort;
    },
    get httpsPort() {
      if (!https) throw new Error('the IoT HTTPS publish port is not listening yet: call listen()');
      return https.port;
    },
    // The Jobs engine first: its last changes are made durable and notified while the broker still runs.
    close() {
      closing ??= (async () => {
        await jobs.close();
        await https?.close();
        await started.close();
        await shadows.close();
      })();
      return closing;
    },
  };
}
