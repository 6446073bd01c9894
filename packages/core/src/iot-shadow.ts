/**
 * The AWS IoT Device Shadow protocol, as the local cloud serves it and the API service, the
 * simulator and the web app speak it: topics, documents, error messages and limits. Pure (no I/O)
 * and browser-safe.
 *
 * Sources: "Device Shadow MQTT topics", "Device Shadow service documents", "Device Shadow error
 * messages" and "Diagnosing problems with shadows" of the AWS IoT Core developer guide
 * (https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-mqtt.html, ...).
 */

/** A JSON value as a shadow stores it (arrays may not hold `null`). */
export type ShadowJson = string | number | boolean | null | ShadowJson[] | { [key: string]: ShadowJson };
export type ShadowJsonObject = { [key: string]: ShadowJson };

/** Limits of the Device Shadow service. */
export const shadowLimits = {
  /** The `desired` and `reported` sections together, metadata excluded ("the device's shadow supports 8 KB of data only"). */
  maxStateBytes: 8 * 1024,
  /** Levels of nesting in `desired` or `reported` ("JSON contains too many levels of nesting; maximum is 6"). */
  maxDepth: 6,
  /** "A client token that is longer than 64 bytes will cause a 400". */
  maxClientTokenBytes: 64,
  /** Thing names: 128 bytes, `[a-zA-Z0-9:_-]`. */
  maxThingNameBytes: 128,
  /** Named shadows: 64 bytes, `[$a-zA-Z0-9:_-]`. */
  maxShadowNameBytes: 64,
  /** More in-flight requests than this on one connection are answered 429. */
  maxInFlightPerConnection: 10,
  /** ListNamedShadowsForThing `pageSize`. */
  maxListPageSize: 100,
} as const;

export const shadowThingNamePattern = /^[a-zA-Z0-9:_-]{1,128}$/;
/** Named shadows: `[$a-zA-Z0-9:_-]`, 1 to 64 (the `$` prefix is for AWS-reserved names such as `$package`). */
export const shadowNamePattern = /^[$a-zA-Z0-9:_-]{1,64}$/;

export type ShadowOperation = 'get' | 'update' | 'delete';
/** What follows the operation in a response topic; absent on request topics. */
export type ShadowTopicSuffix = 'accepted' | 'rejected' | 'delta' | 'documents';

/** The suffixes AWS IoT publishes for each operation. */
const suffixesOf: Readonly<Record<ShadowOperation, readonly ShadowTopicSuffix[]>> = {
  get: ['accepted', 'rejected'],
  update: ['accepted', 'rejected', 'delta', 'documents'],
  delete: ['accepted', 'rejected'],
};

/** `$aws/things/<thing>/shadow` (classic) or `$aws/things/<thing>/shadow/name/<shadow>` (named). */
export function shadowTopicPrefix(thingName: string, shadowName?: string): string {
  return shadowName === undefined ? `$aws/things/${thingName}/shadow` : `$aws/things/${thingName}/shadow/name/${shadowName}`;
}

/** A request topic (`.../update`) or, with a suffix, a response topic (`.../update/accepted`). */
export function shadowTopic(
  thingName: string,
  shadowName: string | undefined,
  operation: ShadowOperation,
  suffix?: ShadowTopicSuffix,
): string {
  const base = `${shadowTopicPrefix(thingName, shadowName)}/${operation}`;
  return suffix === undefined ? base : `${base}/${suffix}`;
}

/** Every topic of one shadow, named as a device SDK names them. */
export function shadowTopics(thingName: string, shadowName?: string) {
  const t = (operation: ShadowOperation, suffix?: ShadowTopicSuffix) => shadowTopic(thingName, shadowName, operation, suffix);
  return {
    get: t('get'),
    getAccepted: t('get', 'accepted'),
    getRejected: t('get', 'rejected'),
    update: t('update'),
    updateAccepted: t('update', 'accepted'),
    updateRejected: t('update', 'rejected'),
    updateDelta: t('update', 'delta'),
    updateDocuments: t('update', 'documents'),
    delete: t('delete'),
    deleteAccepted: t('delete', 'accepted'),
    deleteRejected: t('delete', 'rejected'),
  } as const;
}

export interface ShadowTopicParts {
  readonly thingName: string;
  /** Absent for the classic (unnamed) shadow. */
  readonly shadowName?: string;
  readonly operation: ShadowOperation;
  /** Absent on a request topic. */
  readonly suffix?: ShadowTopicSuffix;
}

/** Splits a shadow topic into its parts; undefined when `topic` is not a shadow request or response topic. */
export function parseShadowTopic(topic: string): ShadowTopicParts | undefined {
  const levels = topic.split('/');
  if (levels[0] !== '$aws' || levels[1] !== 'things' || levels[3] !== 'shadow') return undefined;
  const thingName = levels[2] ?? '';
  if (!shadowThingNamePattern.test(thingName)) return undefined;
  let rest = levels.slice(4);
  let shadowName: string | undefined;
  if (rest[0] === 'name') {
    shadowName = rest[1] ?? '';
    if (!shadowNamePattern.test(shadowName)) return undefined;
    rest = rest.slice(2);
  }
  const [operation, suffix, ...extra] = rest;
  if (extra.length > 0 || (operation !== 'get' && operation !== 'update' && operation !== 'delete')) return undefined;
  if (suffix !== undefined && !(suffixesOf[operation] as readonly string[]).includes(suffix)) return undefined;
  return {
    thingName,
    ...(shadowName !== undefined ? { shadowName } : {}),
    operation,
    ...(suffix !== undefined ? { suffix: suffix as ShadowTopicSuffix } : {}),
  };
}

/** `desired` and `reported`; a section is absent when it holds nothing. */
export interface ShadowState {
  readonly desired?: ShadowJsonObject;
  readonly reported?: ShadowJsonObject;
}

/** Per leaf of the state, when it was last updated (epoch seconds), mirroring the state's shape. */
export type ShadowMetadataNode = { readonly timestamp: number } | { readonly [key: string]: ShadowMetadataNode };
export interface ShadowMetadata {
  readonly desired?: ShadowMetadataNode;
  readonly reported?: ShadowMetadataNode;
}

/** A request state document (`/update`, UpdateThingShadow). `null` deletes a key or a whole section. */
export interface ShadowUpdateRequest {
  readonly state: { readonly desired?: ShadowJsonObject | null; readonly reported?: ShadowJsonObject | null } | null;
  readonly clientToken?: string;
  /** Optimistic locking: the update applies only if the shadow is at this version. */
  readonly version?: number;
}

/** `/get/accepted`, GetThingShadow: the whole shadow with its delta. */
export interface ShadowDocument {
  readonly state: ShadowState & { readonly delta?: ShadowJsonObject };
  readonly metadata: ShadowMetadata;
  readonly version: number;
  /** Epoch seconds. */
  readonly timestamp: number;
  readonly clientToken?: string;
}

/** `/update/accepted`, UpdateThingShadow: the request's state (with its nulls) and its metadata. */
export interface ShadowUpdateAccepted {
  readonly state: { readonly desired?: ShadowJsonObject | null; readonly reported?: ShadowJsonObject | null } | null;
  readonly metadata: ShadowMetadata;
  readonly version: number;
  readonly timestamp: number;
  readonly clientToken?: string;
}

/** `/update/delta`: the desired keys whose value differs from reported, with their desired metadata. */
export interface ShadowDelta {
  readonly state: ShadowJsonObject;
  readonly metadata: { readonly [key: string]: ShadowMetadataNode };
  readonly version: number;
  readonly timestamp: number;
  readonly clientToken?: string;
}

/** One side of a `/update/documents` message. */
export interface ShadowSnapshot {
  readonly state: ShadowState;
  readonly metadata: ShadowMetadata;
  readonly version: number;
}

/** `/update/documents`: the shadow before (absent when the update created it) and after an accepted update. */
export interface ShadowDocuments {
  readonly previous?: ShadowSnapshot;
  readonly current: ShadowSnapshot;
  readonly timestamp: number;
  readonly clientToken?: string;
}

/** `/delete/accepted`, DeleteThingShadow. */
export interface ShadowDeleteAccepted {
  readonly version: number;
  readonly timestamp: number;
  readonly clientToken?: string;
}

/** `/get|update|delete/rejected`, and the body of an HTTP error. */
export interface ShadowErrorDocument {
  /** An HTTP status code. */
  readonly code: ShadowErrorCode;
  readonly message: string;
  readonly timestamp: number;
  readonly clientToken?: string;
}

/** ListNamedShadowsForThing. */
export interface ShadowNameList {
  readonly results: readonly string[];
  readonly nextToken?: string;
  readonly timestamp: number;
}

export type ShadowErrorCode = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500;

/** The messages of "Device Shadow error messages", word for word. */
export const shadowErrorMessages = {
  invalidJson: 'Invalid JSON',
  missingState: 'Missing required node: state',
  stateNotObject: 'State node must be an object',
  desiredNotObject: 'Desired node must be an object',
  reportedNotObject: 'Reported node must be an object',
  invalidVersion: 'Invalid version',
  invalidClientToken: 'Invalid clientToken',
  tooDeep: `JSON contains too many levels of nesting; maximum is ${shadowLimits.maxDepth}`,
  invalidNode: 'State contains an invalid node',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  thingNotFound: 'Thing not found',
  /** AWS's template is "No shadow exists with name: shadowName"; the name is quoted as the service answers. */
  noShadow: (name: string) => `No shadow exists with name: '${name}'`,
  versionConflict: 'Version conflict',
  tooLarge: 'The payload exceeds the maximum size allowed',
  unsupportedEncoding: 'Unsupported documented encoding; supported encoding is UTF-8',
  tooManyRequests: 'Too Many Requests',
  internal: 'Internal service failure',
} as const;
