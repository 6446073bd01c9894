/**
 * The API Service built in process for tests: real DynamoDB (dynalite), real token verification
 * (a jose key pair standing in for the user pool), recording fakes for IoT, IoT data and
 * Cognito, and the Data Service at a URL the test chooses (a fake answering device states by default).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { IoTClient } from '@aws-sdk/client-iot';
import type { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { auditTable, dashboardsTable, devicesTable, deviceImportsTable, metricSettingsTable, platformStateTable } from '@fleet/core';
import { InvalidCsrError, loadOrCreateLocalCa, type LocalCa } from '@fleet/local-cloud/testing';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp, type AppConfig } from '../app.ts';
import { createTokenVerifier } from '@fleet/core/tokens';
import type { ApiClients } from '../aws-clients.ts';
import { startTestDynamo, type TestDynamo } from './dynalite-tables.ts';
import { startFakeDataService, type FakeDataService } from './fake-data-service.ts';
import { fakeIotPolicies, type FakeIotPolicies } from './fake-iot-policies.ts';
import { awsError, fakeAwsClient, type FakeAwsClient } from './fake-aws-client.ts';
import { fakeUserPool, type FakeUserPool } from './fake-user-pool.ts';
import { fakeTopicRules } from './fake-topic-rules.ts';
import { createTestTokens, type TestTokens } from '@fleet/core/tokens/testing';
import { createAuditStore, type AuditStore } from '../audit/audit-store.ts';
import { createAuditTrail, type AuditTrail } from '../audit/audit-trail.ts';

export const testPool = { userPoolId: 'us-east-1_TestPool1', clientId: 'test-client-id' } as const;

export const testConfig: AppConfig = {
  region: 'us-east-1',
  devicesTable: devicesTable.id,
  userPoolId: testPool.userPoolId,
  userPoolClientId: testPool.clientId,
  identityPoolId: 'us-east-1:11111111-2222-3333-4444-555555555555',
  iotEndpoint: 'abc123-ats.iot.us-east-1.amazonaws.com',
  iotMqttPort: 8883,
  iotHttpsPort: 8443,
  iotCaUrl: 'https://www.amazontrust.com/repository/AmazonRootCA1.pem',
  devicePolicyName: 'fleet-device',
  browserPolicyName: 'fleet-browser-live',
  dataServiceUrl: 'http://127.0.0.1:9', // replaced by the fake Data Service or the test's own
  platformStateTable: platformStateTable.id,
  metricSettingsTable: metricSettingsTable.id,
  alarmTopicArn: 'arn:aws:sns:us-east-1:000000000000:fleet-alarm-notifications',
  userRulesRoleArn: 'arn:aws:iam::000000000000:role/fleet-user-rules',
  dashboardsTable: dashboardsTable.id,
  auditTable: auditTable.id,
  deviceImportsTable: deviceImportsTable.id,
};

/** In-memory IoT registry behind the fake IoT client: what exists after a test's calls. */
export interface FakeIotState {
  readonly things: Set<string>;
  /** Each thing's attributes (CreateThing, UpdateThing), answered by ListThings. */
  readonly thingAttributes: Map<string, Record<string, string>>;
  /** Each thing's version: 1 at CreateThing, one more at every UpdateThing (DescribeThing answers it). */
  readonly thingVersions: Map<string, number>;
  readonly certificates: Map<string, { arn: string; status: string; createdAt: Date }>;
  /** `policy|target` pairs. */
  readonly policyAttachments: Set<string>;
  /** `thing|principal` pairs. */
  readonly thingPrincipals: Set<string>;
  /** Thing groups and their things. */
  readonly thingGroups: Map<string, Set<string>>;
  /** IoT policies and their versions (users' browser policies). */
  readonly policies: FakeIotPolicies['policies'];
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly tokens: TestTokens;
  readonly dynamo: TestDynamo;
  readonly iot: FakeAwsClient<IoTClient>;
  readonly iotState: FakeIotState;
  readonly iotData: FakeAwsClient<IoTDataPlaneClient>;
  readonly cognito: FakeAwsClient<CognitoIdentityProviderClient>;
  /** The users and groups behind `cognito`. */
  readonly pool: FakeUserPool;
  readonly cognitoIdentity: FakeAwsClient<CognitoIdentityClient>;
  /** SNS: no subscriptions until a test gives handlers (`sns.on`). */
  readonly sns: FakeAwsClient<SNSClient>;
  /** CloudWatch: no datapoints until a test gives its own answer (`cloudwatch.on`). */
  readonly cloudwatch: FakeAwsClient<CloudWatchClient>;
  /** The fake Data Service, unless the test gave a `dataServiceUrl` of its own. */
  readonly data: FakeDataService | undefined;
  /**
   * `Authorization` header value for a user in the given groups; the fake user pool gets the user
   * with the same groups, unless `poolGroups` says otherwise (a token issued before a role change).
   */
  bearer(options?: { groups?: string[]; sub?: string; username?: string; poolGroups?: string[] }): Promise<string>;
  /** The audit hook's writes: `settled()` before reading the table. */
  readonly auditTrail: AuditTrail;
  /** Counters the app added to (its EMF metrics), by name. */
  readonly counters: ReadonlyMap<string, number>;
  /** Empties the call log of every recording fake, so that a test asserts only the AWS calls it caused. */
  forgetCalls(): void;
  close(): Promise<void>;
}

export function fakeIot(): { iot: FakeAwsClient<IoTClient>; state: FakeIotState } {
  const policies = fakeIotPolicies();
  const state: FakeIotState = {
    policies: policies.policies,
    things: new Set(),
    thingAttributes: new Map(),
    thingVersions: new Map(),
    certificates: new Map(),
    policyAttachments: new Set(),
    thingPrincipals: new Set(),
    thingGroups: new Map(),
  };
  const groupArn = (name: string) => `arn:aws:iot:us-east-1:000000000000:thinggroup/${name}`;
  let serial = 0;
  const arnOf = (id: string) => `arn:aws:iot:us-east-1:000000000000:cert/${id}`;
  const idOfArn = (arn: unknown) => String(arn).split('/').pop() ?? '';
  /** An ACTIVE certificate with an id shaped as AWS IoT's (64 hex digits), created one second after the previous one. */
  const newCertificate = () => {
    const id = `${String(++serial).padStart(60, '0')}cafe`;
    state.certificates.set(id, { arn: arnOf(id), status: 'ACTIVE', createdAt: new Date(Date.UTC(2026, 0, 1) + serial * 1000) });
    return id;
  };
  let signer: Promise<LocalCa> | undefined;
  const csrSigner = () => (signer ??= mkdtemp(join(tmpdir(), 'fake-iot-ca-')).then((dir) => loadOrCreateLocalCa({ dir })));
  const iot = fakeAwsClient<IoTClient>({
    CreateThing: (i) => {
      const name = String(i['thingName']);
      if (state.things.has(name)) throw awsError('ResourceAlreadyExistsException');
      state.things.add(name);
      state.thingVersions.set(name, 1);
      state.thingAttributes.set(name, { ...(i['attributePayload'] as { attributes?: Record<string, string> } | undefined)?.attributes });
      return { thingName: name, thingArn: `arn:aws:iot:us-east-1:000000000000:thing/${name}` };
    },
    // Every thing with its attributes, filtered by one attribute as AWS does; none provisioned by
    // claim unless a test says so (the device index adopts them). One page: tests hold few things.
    ListThings: (i) => {
      const [name, value] = [i['attributeName'] as string | undefined, i['attributeValue'] as string | undefined];
      const things = [...state.things].map((thingName) => ({ thingName, attributes: state.thingAttributes.get(thingName) ?? {} }));
      return {
        things: things.filter(
          (t) => name === undefined || (Object.hasOwn(t.attributes, name) && (value === undefined || t.attributes[name] === value)),
        ),
      };
    },
    DescribeThing: (i) => {
      const name = String(i['thingName']);
      if (!state.things.has(name)) throw awsError('ResourceNotFoundException');
      return { thingName: name, attributes: { ...state.thingAttributes.get(name) }, version: state.thingVersions.get(name) ?? 1 };
    },
    UpdateThing: (i) => {
      const name = String(i['thingName']);
      if (!state.things.has(name)) throw awsError('ResourceNotFoundException');
      const version = state.thingVersions.get(name) ?? 1;
      if (i['expectedVersion'] !== undefined && i['expectedVersion'] !== version) throw awsError('VersionConflictException');
      state.thingVersions.set(name, version + 1);
      const payload = i['attributePayload'] as { attributes?: Record<string, string>; merge?: boolean } | undefined;
      const next = { ...(payload?.merge ? state.thingAttributes.get(name) : {}), ...payload?.attributes };
      state.thingAttributes.set(name, Object.fromEntries(Object.entries(next).filter(([, v]) => v !== '')));
      return {};
    },
    // Signed by a real local CA, so the certificate carries the request's subject (the API checks its
    // common name); a request the CA refuses (not PKCS#10, weak key ...) is InvalidRequestException.
    CreateCertificateFromCsr: async (i) => {
      let signed: { certificatePem: string };
      try {
        signed = await (await csrSigner()).issueCertificateFromCsr(String(i['certificateSigningRequest']));
      } catch (err) {
        if (err instanceof InvalidCsrError) throw awsError('InvalidRequestException', err.message);
        throw err;
      }
      const id = newCertificate();
      return { certificateArn: arnOf(id), certificateId: id, certificatePem: signed.certificatePem };
    },
    DescribeCertificate: (i) => {
      const id = String(i['certificateId']);
      const cert = state.certificates.get(id);
      if (!cert) throw awsError('ResourceNotFoundException');
      return {
        certificateDescription: {
          certificateId: id,
          certificateArn: cert.arn,
          status: cert.status,
          creationDate: cert.createdAt,
          validity: { notBefore: cert.createdAt, notAfter: new Date('2049-12-31T23:59:59Z') },
        },
      };
    },
    ListThingPrincipals: (i) => {
      const thing = String(i['thingName']);
      if (!state.things.has(thing)) throw awsError('ResourceNotFoundException');
      return { principals: [...state.thingPrincipals].filter((p) => p.startsWith(`${thing}|`)).map((p) => p.slice(thing.length + 1)) };
    },
    AttachPolicy: (i) => void state.policyAttachments.add(`${String(i['policyName'])}|${String(i['target'])}`),
    DetachPolicy: (i) => void state.policyAttachments.delete(`${String(i['policyName'])}|${String(i['target'])}`),
    ...policies.handlers,
    AttachThingPrincipal: (i) => void state.thingPrincipals.add(`${String(i['thingName'])}|${String(i['principal'])}`),
    DetachThingPrincipal: (i) => void state.thingPrincipals.delete(`${String(i['thingName'])}|${String(i['principal'])}`),
    UpdateCertificate: (i) => {
      const cert = state.certificates.get(String(i['certificateId']));
      if (!cert) throw awsError('ResourceNotFoundException');
      cert.status = String(i['newStatus']);
      return {};
    },
    DeleteCertificate: (i) => {
      const id = String(i['certificateId']);
      const cert = state.certificates.get(id);
      if (!cert) throw awsError('ResourceNotFoundException');
      if (cert.status === 'ACTIVE') throw awsError('CertificateStateException', 'certificate is active');
      state.certificates.delete(id);
      for (const p of state.policyAttachments) if (idOfArn(p.split('|')[1]) === id) state.policyAttachments.delete(p);
      return {};
    },
    DeleteThing: (i) => {
      state.things.delete(String(i['thingName']));
      state.thingAttributes.delete(String(i['thingName']));
    },
    // Topic rules: a fresh account has only the platform's; tests that change rules give a fresh table (`iot.on`).
    ...fakeTopicRules().handlers,
    // Jobs: a fresh account has none; tests that read some give their own answers (`iot.on`).
    CreateJob: (i) => ({ jobId: i['jobId'], jobArn: `arn:aws:iot:us-east-1:000000000000:job/${String(i['jobId'])}` }),
    ListJobExecutionsForThing: () => ({ executionSummaries: [] }),
    // Static thing groups: none until a test or a call creates one.
    DescribeThingGroup: (i) => {
      const name = String(i['thingGroupName']);
      if (!state.thingGroups.has(name)) throw awsError('ResourceNotFoundException');
      return { thingGroupName: name, thingGroupArn: groupArn(name) };
    },
    CreateThingGroup: (i) => {
      const name = String(i['thingGroupName']);
      if (!state.thingGroups.has(name)) state.thingGroups.set(name, new Set());
      return { thingGroupName: name, thingGroupArn: groupArn(name) };
    },
    AddThingToThingGroup: (i) => {
      const [group, thing] = [String(i['thingGroupName']), String(i['thingName'])];
      const members = state.thingGroups.get(group);
      if (!members || !state.things.has(thing)) throw awsError('ResourceNotFoundException');
      const groupsOfThing = [...state.thingGroups.values()].filter((m) => m.has(thing)).length;
      if (!members.has(thing) && groupsOfThing >= 10)
        throw awsError('InvalidRequestException', 'A thing can be in at most 10 thing groups');
      members.add(thing);
      return {};
    },
    ListThingGroups: () => ({
      thingGroups: [...state.thingGroups.keys()].map((groupName) => ({ groupName, groupArn: groupArn(groupName) })),
    }),
    ListThingsInThingGroup: (i) => {
      const members = state.thingGroups.get(String(i['thingGroupName']));
      if (!members) throw awsError('ResourceNotFoundException');
      return { things: [...members] };
    },
    ...Object.fromEntries(
      ['DescribeJob', 'GetJobDocument', 'CancelJob', 'CancelJobExecution', 'DescribeJobExecution'].map((name) => [
        name,
        () => {
          throw awsError('ResourceNotFoundException');
        },
      ]),
    ),
  });
  return { iot, state };
}

export interface TestAppOptions {
  readonly config?: Partial<AppConfig>;
  readonly healthCacheMs?: number;
  /** Wraps the audit trail's store (e.g. to make its writes fail). */
  readonly auditStore?: (real: AuditStore) => Pick<AuditStore, 'put'>;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dynamo = await startTestDynamo();
  const tokens = await createTestTokens(testPool);
  const { iot, state } = fakeIot();
  const iotData = fakeAwsClient<IoTDataPlaneClient>({
    Publish: () => ({}),
    // No shadow until a test gives one (`iotData.on`); updates are accepted.
    GetThingShadow: () => {
      throw awsError('ResourceNotFoundException');
    },
    UpdateThingShadow: () => ({}),
    DeleteThingShadow: () => ({}),
  });
  const pool = fakeUserPool();
  const cognitoIdentity = fakeAwsClient<CognitoIdentityClient>({ GetId: () => ({ IdentityId: 'us-east-1:identity-of-alice' }) });
  const sns = fakeAwsClient<SNSClient>({ ListSubscriptionsByTopic: () => ({ Subscriptions: [] }) });
  const cloudwatch = fakeAwsClient<CloudWatchClient>({ GetMetricData: () => ({ MetricDataResults: [] }) });
  const logger = pino({ level: 'silent' });
  const data = options.config?.dataServiceUrl === undefined ? await startFakeDataService() : undefined;
  const clients: ApiClients = {
    iot: iot.client,
    iotData: iotData.client,
    dynamo: dynamo.doc,
    cognito: pool.client.client,
    cognitoIdentity: cognitoIdentity.client,
    sns: sns.client,
    cloudwatch: cloudwatch.client,
  };
  const verifier = createTokenVerifier({ ...testPool, loadJwks: async () => tokens.jwks, logger });
  const counters = new Map<string, number>();
  const metrics = {
    count: (name: string, n = 1) => void counters.set(name, (counters.get(name) ?? 0) + n),
    observe: () => undefined,
    flush: () => undefined,
    stop: () => undefined,
  };
  const auditStore = createAuditStore({ dynamo: dynamo.doc, tableName: options.config?.auditTable ?? testConfig.auditTable });
  const auditTrail = createAuditTrail({ store: options.auditStore?.(auditStore) ?? auditStore, metrics, logger });
  const app = await buildApp({
    metrics,
    auditTrail,
    config: { ...testConfig, ...(data ? { dataServiceUrl: data.url } : {}), ...options.config },
    clients,
    verifier,
    logger,
    ...(options.healthCacheMs === undefined ? {} : { healthCacheMs: options.healthCacheMs }),
  });
  await app.ready();
  return {
    app,
    tokens,
    dynamo,
    iot,
    iotState: state,
    iotData,
    cognito: pool.client,
    pool,
    cognitoIdentity,
    sns,
    cloudwatch,
    data,
    auditTrail,
    counters,
    bearer: async (o = {}) => {
      const username = o.username ?? 'alice';
      pool.put({ username, sub: o.sub ?? `sub-${username}`, groups: o.poolGroups ?? o.groups ?? [] });
      return `Bearer ${await tokens.accessToken({ ...o, username, sub: o.sub ?? `sub-${username}` })}`;
    },
    forgetCalls() {
      for (const fake of [iot, iotData, pool.client, cognitoIdentity, sns, cloudwatch]) fake.calls.length = 0;
    },
    async close() {
      await app.close();
      await dynamo.close();
      await data?.close();
    },
  };
}
