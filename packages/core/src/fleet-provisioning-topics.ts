/**
 * AWS IoT fleet provisioning's device MQTT API
 * (https://docs.aws.amazon.com/iot/latest/developerguide/fleet-provision-api.html): the request
 * topics a device publishes with its claim certificate, their `/accepted` and `/rejected` replies,
 * and the request and answer documents, for the local broker, the simulator and tests alike.
 * Only the `json` payload format is spoken here (AWS also offers `cbor`).
 */

/** The operations of the fleet provisioning MQTT API. */
export type ProvisioningOperation = 'create-keys' | 'create-from-csr' | 'register-thing';

const createKeys = '$aws/certificates/create/json';
const createFromCsr = '$aws/certificates/create-from-csr/json';
const templatePrefix = '$aws/provisioning-templates/';

export const provisioningTopics = {
  /** CreateKeysAndCertificate: a new key pair and certificate (PENDING_ACTIVATION). */
  createKeys,
  /** CreateCertificateFromCsr: a certificate for the device's own key. */
  createFromCsr,
  /** RegisterThing: runs the template with a certificate ownership token. */
  registerThing: (templateName: string) => `${templatePrefix}${templateName}/provision/json`,
  accepted: (requestTopic: string) => `${requestTopic}/accepted`,
  rejected: (requestTopic: string) => `${requestTopic}/rejected`,
} as const;

/** A provisioning topic as the service reads it. */
export type ParsedProvisioningTopic =
  | { readonly kind: 'request'; readonly operation: ProvisioningOperation; readonly templateName?: string }
  /** `/accepted` and `/rejected`: the service's own replies. */
  | { readonly kind: 'reply' };

/** AWS: template names `[0-9A-Za-z_-]{1,36}`. */
export const provisioningTemplateNamePattern = /^[0-9A-Za-z_-]{1,36}$/;

/** Parses a topic of the fleet provisioning API; undefined for any other topic. */
export function parseProvisioningTopic(topic: string): ParsedProvisioningTopic | undefined {
  for (const [request, operation] of [
    [createKeys, 'create-keys'],
    [createFromCsr, 'create-from-csr'],
  ] as const) {
    if (topic === request) return { kind: 'request', operation };
    if (topic === `${request}/accepted` || topic === `${request}/rejected`) return { kind: 'reply' };
  }
  if (!topic.startsWith(templatePrefix)) return undefined;
  const [templateName, provision, format, reply, ...rest] = topic.slice(templatePrefix.length).split('/');
  if (templateName === undefined || !provisioningTemplateNamePattern.test(templateName)) return undefined;
  if (provision !== 'provision' || format !== 'json' || rest.length > 0) return undefined;
  if (reply === undefined) return { kind: 'request', operation: 'register-thing', templateName };
  return reply === 'accepted' || reply === 'rejected' ? { kind: 'reply' } : undefined;
}

/** `$aws/certificates/create/json/accepted`. */
export interface CreateKeysAndCertificateResponse {
  readonly certificateId: string;
  readonly certificatePem: string;
  readonly privateKey: string;
  readonly certificateOwnershipToken: string;
}

/** `$aws/certificates/create-from-csr/json`. */
export interface CreateCertificateFromCsrRequest {
  readonly certificateSigningRequest: string;
}

/** `$aws/certificates/create-from-csr/json/accepted`. */
export interface CreateCertificateFromCsrResponse {
  readonly certificateOwnershipToken: string;
  readonly certificateId: string;
  readonly certificatePem: string;
}

/** `$aws/provisioning-templates/<name>/provision/json`. */
export interface RegisterThingRequest {
  readonly certificateOwnershipToken: string;
  readonly parameters?: Readonly<Record<string, string>>;
}

/** `$aws/provisioning-templates/<name>/provision/json/accepted`. */
export interface RegisterThingResponse {
  readonly deviceConfiguration: Readonly<Record<string, string>>;
  readonly thingName: string;
}

/**
 * The error codes a `/rejected` reply carries. AWS documents the document's shape, not a closed
 * list; `InvalidCertificateOwnershipToken` is the code AWS answers for a missing token, the others
 * name the refusal the same way.
 */
export const provisioningErrorCodes = {
  InvalidPayload: 400,
  InvalidCertificateOwnershipToken: 400,
  InvalidParameters: 400,
  InvalidCsr: 400,
  AccessDenied: 403,
  ResourceNotFound: 404,
  Throttled: 429,
  InternalFailure: 500,
} as const;

export type ProvisioningErrorCode = keyof typeof provisioningErrorCodes;

/** Every `/rejected` reply of the fleet provisioning API. */
export interface ProvisioningErrorResponse {
  readonly statusCode: number;
  readonly errorCode: ProvisioningErrorCode;
  readonly errorMessage: string;
}

/**
 * How long a certificate ownership token proves ownership: RegisterThing must follow the
 * certificate's creation within this time (AWS documents one hour).
 */
export const certificateOwnershipTokenTtlMs = 60 * 60 * 1000;
