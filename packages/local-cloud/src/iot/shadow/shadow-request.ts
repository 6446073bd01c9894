/**
 * Reads a shadow request payload (MQTT `/update`, `/get`, `/delete`, or an UpdateThingShadow body)
 * and rejects it with the code and message of "Device Shadow error messages" when AWS IoT would.
 * The client token is read first, so that a rejection of valid JSON echoes it as AWS does.
 */
import { shadowErrorMessages as messages, shadowLimits, type ShadowErrorCode, type ShadowUpdateRequest } from '@fleet/core';
import { depthOf, hasNullInArray, isJsonObject } from './shadow-state.ts';

/** A refused request: the error document without its timestamp. */
export interface ShadowRejection {
  readonly code: ShadowErrorCode;
  readonly message: string;
  readonly clientToken?: string;
}

export const isRejection = (value: unknown): value is ShadowRejection =>
  typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number' && 'message' in value;

const reject = (code: ShadowErrorCode, message: string, clientToken?: string): ShadowRejection => ({
  code,
  message,
  ...(clientToken !== undefined ? { clientToken } : {}),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(payload: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return reject(415, messages.unsupportedEncoding);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return reject(400, messages.invalidJson);
  }
}

/** The `clientToken` of a parsed document: absent, valid, or a rejection. */
function clientTokenOf(document: Record<string, unknown>): string | undefined | ShadowRejection {
  const token = document.clientToken;
  if (token === undefined) return undefined;
  if (typeof token !== 'string' || Buffer.byteLength(token) > shadowLimits.maxClientTokenBytes)
    return reject(400, messages.invalidClientToken);
  return token;
}

/** Validates an update request state document. */
export function parseUpdateRequest(payload: Buffer): ShadowUpdateRequest | ShadowRejection {
  const document = parseJson(payload);
  if (isRejection(document)) return document;
  if (!isJsonObject(document)) return reject(400, messages.invalidJson);
  const clientToken = clientTokenOf(document);
  if (isRejection(clientToken)) return clientToken;
  const fail = (code: ShadowErrorCode, message: string) => reject(code, message, clientToken);
  const { version, state } = document;
  if (version !== undefined && !(typeof version === 'number' && Number.isSafeInteger(version) && version >= 0)) {
    return fail(400, messages.invalidVersion);
  }
  if (state === undefined) return fail(400, messages.missingState);
  const base = { ...(clientToken !== undefined ? { clientToken } : {}), ...(version !== undefined ? { version } : {}) };
  // "Setting the device's shadow state to null does not delete the shadow": it empties it.
  if (state === null) return { state: null, ...base };
  if (!isJsonObject(state)) return fail(400, messages.stateNotObject);
  if (Object.keys(state).some((key) => key !== 'desired' && key !== 'reported')) return fail(400, messages.invalidNode);
  const { desired, reported } = state;
  if (desired !== undefined && desired !== null && !isJsonObject(desired)) return fail(400, messages.desiredNotObject);
  if (reported !== undefined && reported !== null && !isJsonObject(reported)) return fail(400, messages.reportedNotObject);
  if (depthOf(desired) > shadowLimits.maxDepth || depthOf(reported) > shadowLimits.maxDepth) return fail(400, messages.tooDeep);
  // "Arrays can't have null values ... will be rejected"; AWS names no message, this is the closest one.
  if (hasNullInArray(desired) || hasNullInArray(reported)) return fail(400, messages.invalidNode);
  return {
    state: { ...(desired !== undefined ? { desired } : {}), ...(reported !== undefined ? { reported } : {}) },
    ...base,
  };
}

/**
 * The client token of a `/get` or `/delete` request. Their content is otherwise ignored ("The
 * content of the message is ignored"), so an empty or non-JSON payload is a request without a token.
 */
export function parseTokenRequest(payload: Buffer): { clientToken?: string } | ShadowRejection {
  if (payload.length === 0) return {};
  const document = parseJson(payload);
  if (isRejection(document) || !isJsonObject(document)) return {};
  const clientToken = clientTokenOf(document);
  if (isRejection(clientToken)) return clientToken;
  return clientToken === undefined ? {} : { clientToken };
}
