/**
 * The Fleet REST API (behind the gateway at /api), with the user's access token. Every answer is
 * checked against its `@fleet/core` contract, the one the API serializes with, before a page uses
 * it; every error keeps the API's `{ code, message }`.
 */
import {
  ProvisioningOverviewSchema,
  provisioningPaths,
  answerChecker,
  DeviceImportAnswerSchema,
  deviceImportPaths,
  AuditPageSchema,
  auditPaths,
  RevokedDevicePageSchema,
  CommandCanceledSchema,
  CommandExecutionPageSchema,
  CommandSentSchema,
  DeviceConfigSchema,
  DeadLetterOverviewSchema,
  DeadLetterReplayResultSchema,
  DeviceCertificateListSchema,
  DeviceAttributesSchema,
  DevicePageSchema,
  DeviceRevokedSchema,
  RevokedCertificateSchema,
  RotatedCertificateSchema,
  DeviceViewSchema,
  ErrorAnswerSchema,
  errorCodeForStatus,
  InvitedUserSchema,
  LiveAccessSchema,
  ReadingIntervalsSchema,
  RegisteredDeviceSchema,
  rootCaPath,
  pemCertificateHeader,
  RoleChangeSchema,
  DeviceAccessChangeSchema,
  ThingGroupListSchema,
  thingGroupsPath,
  SignedInUserSchema,
  UserPageSchema,
  type CommandExecution,
  type DeviceConfig,
  type DeviceCommand,
  type DeviceCredentials,
  type DeviceView,
  type ErrorCode,
  type PoolUser,
  type ReadingInterval,
  type Role,
  type DeviceAccess,
  type SignedInUser,
  alarmPaths,
  AlarmDefinitionListSchema,
  AlarmDefinitionSchema,
  AlarmFeedSchema,
  AlarmPageSchema,
  ChannelListSchema,
  ChannelSchema,
  MailboxSchema,
  RuleListSchema,
  RuleSchema,
  RuleTestResultSchema,
  type AlarmAction,
  type AlarmDefinitionInput,
  type ChannelInput,
  type RuleInput,
  type RuleTestInput,
  type RuleUpdate,
  dataLifePaths,
  DataJobPageSchema,
  DataJobSchema,
  DataUsageSchema,
  RetentionSettingsSchema,
  type DataJob,
  type DataJobInput,
  type DataJobKind,
  type RetentionSettingsInput,
  metricSettingPaths,
  MetricSettingListSchema,
  MetricSettingSchema,
  type MetricSettingInput,
  dashboardPaths,
  DashboardListSchema,
  DashboardSchema,
  DeviceStatusCountsSchema,
  deviceStatusCountsPath,
  type DashboardInput,
  type DashboardUpdate,
  OverviewSchema,
  overviewPath,
  DeviceBulkAnswerSchema,
  type DeviceBulkInput,
} from '@fleet/core';
import { Type } from 'typebox';
import type { Static, TSchema } from 'typebox';
import type { Session } from './auth.ts';

export type Credentials = DeviceCredentials;
export type Interval = ReadingInterval;
export type Device = DeviceView;
export type { CommandExecution, DeviceAccess, DeviceCommand, DeviceConfig, PoolUser, Role, SignedInUser };

/** An answer that is not what the API promised: an error `{ code, message }`, or one the app cannot read. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The API's code; `BadGateway` for an answer the app cannot read (as the gateway names a target's bad answer). */
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const errorAnswerOf = answerChecker(ErrorAnswerSchema);
/** One checker per contract, compiled at its first answer. */
const checkers = new Map<TSchema, ReturnType<typeof answerChecker>>();

/** The answer of `what`, checked against `schema`: the value, or the ApiError to throw. */
export function readAnswer<T extends TSchema>(schema: T, what: string, status: number, text: string): Static<T> {
  let parsed: unknown;
  try {
    // An empty body (204) reads as null, what a no-content contract says.
    parsed = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    parsed = undefined;
  }
  if (status >= 400) {
    const error = errorAnswerOf(parsed);
    if (error.ok) throw new ApiError(status, error.value.code, error.value.message);
    throw new ApiError(status, errorCodeForStatus(status), `${what} answered ${status}`);
  }
  let check = checkers.get(schema);
  if (!check) checkers.set(schema, (check = answerChecker(schema)));
  const checked = check(parsed);
  if (checked.ok) return checked.value as Static<T>;
  throw new ApiError(502, 'BadGateway', `${what} answered in an unexpected shape: ${checked.problems.join('; ')}`);
}

export function createApi(session: () => Promise<Session>) {
  /** A file the API answers (not JSON) with the user's token; an error answer throws with the API's code. */
  async function getFile(path: string): Promise<Response> {
    const { accessToken } = await session();
    const res = await fetch(path, { headers: { authorization: `Bearer ${accessToken}` } });
    if (!res.ok) readAnswer(Type.Unknown(), `GET ${path}`, res.status, await res.text());
    return res;
  }

  async function call<T extends TSchema>(schema: T, method: string, path: string, body?: unknown): Promise<Static<T>> {
    const { accessToken } = await session();
    const res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return readAnswer(schema, `${method} ${path}`, res.status, text);
  }
  const device = (id: string) => `/api/devices/${encodeURIComponent(id)}`;
  const rule = (name: string) => `/api/rules/${encodeURIComponent(name)}`;
  /** A path of core's `alarmPaths` or `dataLifePaths` under /api, its `:params` filled in. */
  const apiPath = (template: string, params: Record<string, string> = {}) =>
    `/api${template.replace(/:(\w+)/g, (_, key: string) => encodeURIComponent(params[key] ?? ''))}`;
  const query = (params: Record<string, string | undefined>) => {
    const text = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    return text ? `?${text}` : '';
  };
  return {
    me: (): Promise<SignedInUser> => call(SignedInUserSchema, 'GET', '/api/me'),
    devices: () => call(DevicePageSchema, 'GET', '/api/devices'),
    /** A page of the device list: search, status, group, attributes, sort, order, limit, cursor (see `device-list-url.ts`). */
    deviceList: (params: URLSearchParams) => call(DevicePageSchema, 'GET', `/api/devices?${params.toString()}`),
    /** One call for many devices; the answer has a result per device. */
    bulkDevices: (input: DeviceBulkInput) => call(DeviceBulkAnswerSchema, 'POST', '/api/devices/bulk', input),
    device: (id: string) => call(DeviceViewSchema, 'GET', device(id)),
    /** With a CSR the device keeps its key: the answer carries none. */
    register: (
      name: string,
      deviceId?: string,
      certificateSigningRequest?: string,
      attributes: Record<string, string> = {},
      group?: string,
    ) =>
      call(RegisteredDeviceSchema, 'POST', '/api/devices', {
        name,
        ...(deviceId ? { deviceId } : {}),
        ...(certificateSigningRequest ? { certificateSigningRequest } : {}),
        ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
        ...(group ? { group } : {}),
      }),
    certificates: (id: string) => call(DeviceCertificateListSchema, 'GET', `${device(id)}/certificates`),
    /** The thing's attributes now (Fleet's own included) and its version. */
    deviceAttributes: (id: string) => call(DeviceAttributesSchema, 'GET', `${device(id)}/attributes`),
    /** Replaces the device's own attributes: those left out are removed. */
    changeDeviceAttributes: (id: string, attributes: Record<string, string>) =>
      call(DeviceAttributesSchema, 'PUT', `${device(id)}/attributes`, { attributes }),
    /** Rotation: a new certificate beside the current one, from the CSR when given. */
    rotateCertificate: (id: string, certificateSigningRequest?: string) =>
      call(RotatedCertificateSchema, 'POST', `${device(id)}/certificates`, certificateSigningRequest ? { certificateSigningRequest } : {}),
    revokeCertificate: (id: string, certificateId: string) =>
      call(RevokedCertificateSchema, 'POST', `${device(id)}/certificates/${encodeURIComponent(certificateId)}/revoke`),
    remove: (id: string) => call(DeviceRevokedSchema, 'DELETE', device(id)),
    /** Bulk registration: the CSV file's text; the answer is the running job. */
    startDeviceImport: (csv: string) => call(DeviceImportAnswerSchema, 'POST', deviceImportPaths.imports, { csv }),
    deviceImport: (id: string, limit: number) =>
      call(DeviceImportAnswerSchema, 'GET', `${deviceImportPaths.one(id)}${query({ limit: String(limit) })}`),
    /** The import's credentials ZIP: handed out once (a second call answers 410 CredentialsGone). */
    deviceImportCredentials: async (id: string): Promise<Blob> => (await getFile(deviceImportPaths.credentials(id))).blob(),
    /** The root CA's PEM from the API's own origin (a link to the deployment's CA URL would save under that URL's name). */
    rootCa: async (): Promise<string> => {
      const text = await (await getFile(rootCaPath)).text();
      // Saved as root-ca.pem for the device: an answer that is no certificate must not be.
      if (!text.includes(pemCertificateHeader)) throw new ApiError(502, 'BadGateway', `GET ${rootCaPath} answered no PEM certificate`);
      return text;
    },
    /** The answer names the resolution it was read from (raw readings or a rollup level). */
    history: (id: string, from: number, to: number, maxPoints: number) =>
      call(ReadingIntervalsSchema, 'GET', `${device(id)}/telemetry?from=${from}&to=${to}&maxPoints=${maxPoints}`),
    liveAccess: (idToken: string) => call(LiveAccessSchema, 'POST', '/api/me/live-access', { idToken }),
    users: () => call(UserPageSchema, 'GET', '/api/users'),
    invite: (email: string, role: Role) => call(InvitedUserSchema, 'POST', '/api/users', { email, role }),
    setRole: (username: string, role: Role) => call(RoleChangeSchema, 'PUT', `/api/users/${encodeURIComponent(username)}/role`, { role }),
    setDeviceAccess: (username: string, access: DeviceAccess) =>
      call(DeviceAccessChangeSchema, 'PUT', `/api/users/${encodeURIComponent(username)}/device-access`, access),
    thingGroups: () => call(ThingGroupListSchema, 'GET', thingGroupsPath),
    deadLetters: (limit: number) => call(DeadLetterOverviewSchema, 'GET', `/api/dead-letters?limit=${limit}`),
    replayDeadLetters: () => call(DeadLetterReplayResultSchema, 'POST', '/api/dead-letters/replay'),
    config: (id: string) => call(DeviceConfigSchema, 'GET', `${device(id)}/config`),
    changeConfig: (id: string, desired: Record<string, unknown>, expectedVersion?: number) =>
      call(DeviceConfigSchema, 'PUT', `${device(id)}/config`, { desired, ...(expectedVersion ? { expectedVersion } : {}) }),
    commands: (id: string, limit = 20) => call(CommandExecutionPageSchema, 'GET', `${device(id)}/commands?limit=${limit}`),
    sendCommand: (id: string, command: DeviceCommand) => call(CommandSentSchema, 'POST', `${device(id)}/commands`, command),
    cancelCommand: (id: string, commandId: string, force: boolean) =>
      call(CommandCanceledSchema, 'POST', `${device(id)}/commands/${encodeURIComponent(commandId)}/cancel`, { force }),

    rules: () => call(RuleListSchema, 'GET', '/api/rules'),
    createRule: (input: RuleInput) => call(RuleSchema, 'POST', '/api/rules', input),
    replaceRule: (name: string, update: RuleUpdate) => call(RuleSchema, 'PUT', rule(name), update),
    deleteRule: (name: string) => call(Type.Null(), 'DELETE', rule(name)),
    setRuleEnabled: (name: string, enabled: boolean) => call(RuleSchema, 'POST', `${rule(name)}/${enabled ? 'enable' : 'disable'}`),
    testRule: (input: RuleTestInput) => call(RuleTestResultSchema, 'POST', '/api/rules/test', input),

    channels: () => call(ChannelListSchema, 'GET', '/api/notification-channels'),
    addChannel: (input: ChannelInput) => call(ChannelSchema, 'POST', '/api/notification-channels', input),
    removeChannel: (id: string) => call(Type.Null(), 'DELETE', `/api/notification-channels/${encodeURIComponent(id)}`),
    mailbox: () => call(MailboxSchema, 'GET', '/api/notification-channels/mailbox'),

    alarmDefinitions: () => call(AlarmDefinitionListSchema, 'GET', apiPath(alarmPaths.definitions)),
    createAlarmDefinition: (input: AlarmDefinitionInput) => call(AlarmDefinitionSchema, 'POST', apiPath(alarmPaths.definitions), input),
    replaceAlarmDefinition: (id: string, input: AlarmDefinitionInput, expectedVersion?: number) =>
      call(AlarmDefinitionSchema, 'PUT', apiPath(alarmPaths.definition, { id }), {
        ...input,
        ...(expectedVersion ? { expectedVersion } : {}),
      }),
    deleteAlarmDefinition: (id: string) => call(Type.Null(), 'DELETE', apiPath(alarmPaths.definition, { id })),
    alarms: (filter: { status?: string; deviceId?: string; definitionId?: string } = {}) =>
      call(AlarmPageSchema, 'GET', `${apiPath(alarmPaths.alarms)}${query(filter)}`),
    acknowledgeAlarm: (definitionId: string, deviceId: string, action: AlarmAction) =>
      call(Type.Unknown(), 'POST', apiPath(alarmPaths.acknowledge, { definitionId, deviceId }), action),
    clearAlarm: (definitionId: string, deviceId: string, action: AlarmAction) =>
      call(Type.Unknown(), 'POST', apiPath(alarmPaths.clear, { definitionId, deviceId }), action),
    alarmEvents: (filter: { deviceId?: string; definitionId?: string; limit?: string } = {}) =>
      call(AlarmFeedSchema, 'GET', `${apiPath(alarmPaths.events)}${query(filter)}`),
    markAlarmEventsRead: (until: string) => call(Type.Unknown(), 'POST', apiPath(alarmPaths.eventsRead), { until }),

    retention: () => call(RetentionSettingsSchema, 'GET', apiPath(dataLifePaths.retention)),
    saveRetention: (input: RetentionSettingsInput) => call(RetentionSettingsSchema, 'PUT', apiPath(dataLifePaths.retention), input),
    dataUsage: () => call(DataUsageSchema, 'GET', apiPath(dataLifePaths.usage)),
    dataJobs: (kind?: DataJobKind) => call(DataJobPageSchema, 'GET', `${apiPath(dataLifePaths.jobs)}${query({ kind, limit: '20' })}`),
    dataJob: (id: string) => call(DataJobSchema, 'GET', apiPath(dataLifePaths.job, { id })),
    createDataJob: (input: DataJobInput) => call(DataJobSchema, 'POST', apiPath(dataLifePaths.jobs), input),
    startDataJob: (id: string) => call(DataJobSchema, 'POST', apiPath(dataLifePaths.startJob, { id })),
    metricSettings: () => call(MetricSettingListSchema, 'GET', apiPath(metricSettingPaths.list)),
    saveMetricSetting: (metric: string, input: MetricSettingInput) =>
      call(MetricSettingSchema, 'PUT', apiPath(metricSettingPaths.one, { metric }), input),
    removeMetricSetting: (metric: string) => call(Type.Null(), 'DELETE', apiPath(metricSettingPaths.one, { metric })),
    /** One metric of a device over a range: a dashboard's time-series widget asks one series at a time. */
    metricHistory: (id: string, metric: string, from: number, to: number, maxPoints: number) =>
      call(
        ReadingIntervalsSchema,
        'GET',
        `${device(id)}/telemetry${query({ from: String(from), to: String(to), maxPoints: String(maxPoints), metrics: metric })}`,
      ),
    dashboards: () => call(DashboardListSchema, 'GET', apiPath(dashboardPaths.dashboards)),
    dashboard: (id: string) => call(DashboardSchema, 'GET', apiPath(dashboardPaths.dashboard, { id })),
    createDashboard: (input: DashboardInput) => call(DashboardSchema, 'POST', apiPath(dashboardPaths.dashboards), input),
    saveDashboard: (id: string, update: DashboardUpdate) => call(DashboardSchema, 'PUT', apiPath(dashboardPaths.dashboard, { id }), update),
    deleteDashboard: (id: string) => call(Type.Null(), 'DELETE', apiPath(dashboardPaths.dashboard, { id })),
    deviceStatusCounts: () => call(DeviceStatusCountsSchema, 'GET', apiPath(deviceStatusCountsPath)),
    overview: () => call(OverviewSchema, 'GET', apiPath(overviewPath)),
    /** The audit trail, newest first (admins): filters as `GET /api/audit` takes them. */
    audit: (
      filter: { from?: string; to?: string; user?: string; action?: string; target?: string; cursor?: string; limit?: string } = {},
    ) => call(AuditPageSchema, 'GET', `${auditPaths.audit}${query(filter)}`),
    /** Fleet provisioning by claim: the template and the claim certificate's reach (operators, admins). */
    provisioning: () => call(ProvisioningOverviewSchema, 'GET', provisioningPaths.provisioning),
    revokedDevices: (cursor?: string) =>
      call(RevokedDevicePageSchema, 'GET', `${auditPaths.revokedDevices}${query({ cursor, limit: '50' })}`),
    /** PUTs an import's file straight to its presigned S3 link (no API token: the link is the permission). */
    async upload(job: DataJob, file: Blob): Promise<void> {
      if (!job.upload) throw new Error(`Data job ${job.id} has no upload link (it is ${job.status})`);
      const res = await fetch(job.upload.url, { method: 'PUT', headers: { 'content-type': job.upload.contentType }, body: file });
      if (!res.ok) throw new ApiError(res.status, errorCodeForStatus(res.status), `The upload answered ${res.status}: ${await res.text()}`);
    },
  };
}

export type Api = ReturnType<typeof createApi>;
