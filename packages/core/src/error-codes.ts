import { Type, type Static } from 'typebox';

/**
 * The one closed set of error codes every HTTP answer of Fleet uses: the gateway, the API Service
 * and the Data Service answer `{ code, message }` with a code from this table and its status, so
 * the web app, the simulator and the API's relay of Data Service errors never meet a code they
 * cannot map. A 5xx message never carries details (they are logged instead).
 */
export const errorCodes = {
  /** A field of the body, query string or path breaks the documented schema. */
  ValidationError: 400,
  /** A certificate signing request AWS IoT refuses: not PKCS#10, a signature that does not verify, a key too weak. */
  InvalidCsr: 400,
  /** The request cannot be read at all: not origin-form, not JSON, not UTF-8, an empty body. */
  MalformedRequest: 400,
  InvalidIdToken: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  DeviceNotFound: 404,
  /** The device is registered but has no stored reading yet. */
  NoReadings: 404,
  UserNotFound: 404,
  /** No command (AWS IoT job) with this id, or none for this device. */
  CommandNotFound: 404,
  /** No AWS IoT thing group with this name. */
  GroupNotFound: 404,
  AlarmDefinitionNotFound: 404,
  /** No certificate with this id belongs to the device. */
  CertificateNotFound: 404,
  /** No alarm for this definition and device (it never became ACTIVE). */
  AlarmNotFound: 404,
  /** A topic rule (user rule) with this name does not exist. */
  RuleNotFound: 404,
  /** A notification channel (SNS subscription) with this id does not exist. */
  ChannelNotFound: 404,
  /** No data job (export, import, replay) with this id. */
  JobNotFound: 404,
  /** No display setting for this metric (it shows with the defaults). */
  MetricSettingNotFound: 404,
  RequestTimeout: 408,
  /** The request contradicts the current state (generic; the specific codes below say which). */
  Conflict: 409,
  DeviceExists: 409,
  UserExists: 409,
  /** A role change the API refuses, e.g. an admin changing their own role (nobody is left to undo it). */
  RoleChangeRefused: 409,
  /** The device's configuration changed since the version the client read (the shadow's optimistic lock). */
  ConfigVersionConflict: 409,
  /** The command cannot change state any more (already finished, or in progress without `force`). */
  CommandStateConflict: 409,
  /** The alarm cannot make this change (e.g. acknowledging a CLEARED alarm), or the definition moved on. */
  AlarmStateConflict: 409,
  AlarmLimitExceeded: 409,
  RuleExists: 409,
  /** Revoking the device's last ACTIVE certificate would cut it off: rotate first, or revoke the whole device. */
  LastActiveCertificate: 409,
  /** The certificate is already REVOKED, or the device holds as many certificates as it may. */
  CertificateStateConflict: 409,
  /** The data job cannot make this change (e.g. starting an import that is already running). */
  JobStateConflict: 409,
  /** The platform's own rules are defined in code and cannot be changed by users. */
  RuleProtected: 403,
  /**
   * The caller's access is limited to some thing groups (device-access.ts) and the operation reaches
   * beyond them: the whole fleet (rules, dead letters, claim provisioning) or a group not granted.
   */
  OutsideDeviceAccess: 403,
  /** A device access the API refuses to set: an admin's (admins always see every device). */
  DeviceAccessRefused: 409,
  PayloadTooLarge: 413,
  UriTooLong: 414,
  UnsupportedMediaType: 415,
  HeadersTooLarge: 431,
  InternalError: 500,
  NotImplemented: 501,
  /** The gateway could not reach its target. */
  BadGateway: 502,
  DataServiceUnavailable: 502,
  /** The target is unhealthy or stopping. */
  ServiceUnavailable: 503,
  AuthUnavailable: 503,
  GatewayTimeout: 504,
  /** No dashboard with this id that the caller may see (its own, or a shared one). */
  DashboardNotFound: 404,
  /** The dashboard changed since the version the editor started from. */
  DashboardVersionConflict: 409,
  /** Only the owner of a dashboard (or an admin) changes or deletes it. */
  DashboardReadOnly: 403,
  /** The caller owns as many dashboards as one user may. */
  DashboardLimitExceeded: 409,
  /** No device import (bulk registration) with this id. */
  ImportNotFound: 404,
  /**
   * A device import's generated private keys are no longer held: downloaded once already, older than
   * an hour, or held by another (or a restarted) API task. The certificates stay valid.
   */
  CredentialsGone: 410,
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** Longest message of an error answer: longer ones are cut (they may quote what the client sent). */
export const errorMessageMaxLength = 1024;

/**
 * The body of an error answer whose code is one of `codes` (all codes when not given): the OpenAPI
 * document of a route lists exactly the codes it can answer with each status.
 */
export function errorAnswerSchema(codes: readonly ErrorCode[] = Object.keys(errorCodes) as ErrorCode[]) {
  return Type.Object(
    {
      code: Type.Enum(codes, { description: 'Stable, machine-readable error code' }),
      message: Type.String({ minLength: 1, maxLength: errorMessageMaxLength, description: 'Human-readable explanation' }),
    },
    { title: 'Error' },
  );
}

export const ErrorAnswerSchema = errorAnswerSchema();

/**
 * The error responses of a route for its schema (Fastify's `response`, the OpenAPI document): one
 * per status of `codes`, each naming the codes it may carry.
 */
export function errorResponses(...codes: ErrorCode[]): Record<number, ReturnType<typeof errorAnswerSchema>> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(errorCodes[code], [...(byStatus.get(errorCodes[code]) ?? []), code]);
  return Object.fromEntries([...byStatus].map(([status, listed]) => [status, errorAnswerSchema(listed)]));
}

/** The body of every error answer. */
export type ErrorAnswer = Static<typeof ErrorAnswerSchema>;

/** A message cut to `errorMessageMaxLength`, for error handlers that relay text they did not write. */
export function boundedMessage(message: string): string {
  return message.length <= errorMessageMaxLength ? message : `${message.slice(0, errorMessageMaxLength - 1)}…`;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

/** The generic code of each status, for answers whose producer named no code of this set. */
const genericCodes: Readonly<Record<number, ErrorCode>> = {
  400: 'MalformedRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  408: 'RequestTimeout',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  414: 'UriTooLong',
  415: 'UnsupportedMediaType',
  431: 'HeadersTooLarge',
  501: 'NotImplemented',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export function errorCodeForStatus(status: number): ErrorCode {
  return genericCodes[status] ?? (status >= 500 ? 'InternalError' : 'MalformedRequest');
}
