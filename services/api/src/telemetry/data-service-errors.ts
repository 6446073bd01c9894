/**
 * The Data Service's error answers mapped into the API's: the public API answers only codes its
 * routes document (`@fleet/core` error-codes.ts), never a code because another service chose it.
 * A call relays the few Data Service codes a client can act on; everything else (its 5xx, a 403
 * the two services should never disagree on, a route it does not have, an answer that is no error
 * body) is a dependency failure: 502 DataServiceUnavailable, the details logged, not shown.
 */
import { answerChecker, ErrorAnswerSchema, errorCodes, type ErrorCode } from '@fleet/core';
import { apiError, type ApiError } from '../errors.ts';

/**
 * The Data Service codes a call may relay, each as the API's code of the same name: a query the
 * Data Service judged wrong (a range too long, a cursor not its own), a device without readings,
 * and the alarm and data-job outcomes the Data Service decides (it owns alarms and data jobs).
 * A call names the ones it expects (and its route documents them).
 */
export type RelayedCode =
  | 'ValidationError'
  | 'NoReadings'
  | 'AlarmDefinitionNotFound'
  | 'AlarmNotFound'
  | 'AlarmStateConflict'
  | 'AlarmLimitExceeded'
  | 'JobNotFound'
  | 'JobStateConflict';

/**
 * What every relaying route may answer besides the codes it relays: a token that expired between
 * the API's check and the Data Service's (401), and the Data Service failing (502).
 */
export const dataServiceErrors = ['Unauthorized', 'DataServiceUnavailable'] as const satisfies readonly ErrorCode[];

const errorAnswerOf = answerChecker(ErrorAnswerSchema);

/** The API's error for a Data Service answer with an error status. */
export function fromDataServiceError(status: number, text: string, what: string, relay: readonly RelayedCode[]): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const checked = errorAnswerOf(body);
  // A code with another status than its own is no answer of the closed set either.
  if (checked.ok && errorCodes[checked.value.code] === status) {
    const { code, message } = checked.value;
    // RFC 6750 §3: a 401 carries the challenge, as the API's own 401s do.
    if (code === 'Unauthorized')
      return apiError(code, message, { headers: { 'WWW-Authenticate': 'Bearer realm="fleet", error="invalid_token"' } });
    if ((relay as readonly ErrorCode[]).includes(code)) return apiError(code, message);
  }
  return apiError('DataServiceUnavailable', 'The data service is unavailable, try again later', {
    cause: new Error(`${what} answered ${status}: ${text.slice(0, 200)}`),
  });
}
