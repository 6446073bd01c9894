/**
 * Authentication and authorization failures in the error shape of each AWS protocol, with the
 * codes AWS answers, so every SDK raises its usual exception class:
 * - JSON services (DynamoDB, SQS, Cognito, CloudWatch, Logs): `{ __type, message }`, status 400;
 * - REST-JSON services (IoT control and data plane): `x-amzn-errortype`, status 403;
 * - S3: the XML `<Error>` document with S3's own codes (SignatureDoesNotMatch, InvalidAccessKeyId, ...);
 * - Query services (SNS): the XML `<ErrorResponse>` with the codes of the Query APIs
 *   (InvalidClientTokenId, SignatureDoesNotMatch, ...) and SNS's `AuthorizationError`.
 */
import { randomUUID } from 'node:crypto';
import type { AwsResponse } from './aws-request.ts';
import { AwsError } from './aws-error.ts';
import { jsonError } from './json-protocol.ts';
import { queryError, queryProtocolServices } from './query-protocol.ts';
import type { AuthFailureKind } from './sigv4-verifier.ts';

const jsonCodes: Readonly<Record<AuthFailureKind, string>> = {
  missing: 'MissingAuthenticationTokenException',
  incomplete: 'IncompleteSignatureException',
  'unknown-key': 'UnrecognizedClientException',
  signature: 'InvalidSignatureException',
  'expired-token': 'ExpiredTokenException',
  'invalid-token': 'UnrecognizedClientException',
  skew: 'InvalidSignatureException',
  'presign-expired': 'InvalidSignatureException',
  'payload-hash': 'InvalidSignatureException',
};

const s3Codes: Readonly<Record<AuthFailureKind, { code: string; status: number; message?: string }>> = {
  missing: { code: 'AccessDenied', status: 403, message: 'Access Denied' },
  incomplete: { code: 'AuthorizationHeaderMalformed', status: 400 },
  'unknown-key': { code: 'InvalidAccessKeyId', status: 403, message: 'The AWS Access Key Id you provided does not exist in our records.' },
  signature: { code: 'SignatureDoesNotMatch', status: 403 },
  'expired-token': { code: 'ExpiredToken', status: 400, message: 'The provided token has expired.' },
  'invalid-token': { code: 'InvalidToken', status: 400, message: 'The provided token is malformed or otherwise invalid.' },
  skew: {
    code: 'RequestTimeTooSkewed',
    status: 403,
    message: 'The difference between the request time and the current time is too large.',
  },
  'presign-expired': { code: 'AccessDenied', status: 403, message: 'Request has expired' },
  'payload-hash': { code: 'XAmzContentSHA256Mismatch', status: 400 },
};

const queryCodes: Readonly<Record<AuthFailureKind, { code: string; status: number }>> = {
  missing: { code: 'MissingAuthenticationToken', status: 403 },
  incomplete: { code: 'IncompleteSignature', status: 400 },
  'unknown-key': { code: 'InvalidClientTokenId', status: 403 },
  signature: { code: 'SignatureDoesNotMatch', status: 403 },
  'expired-token': { code: 'ExpiredToken', status: 403 },
  'invalid-token': { code: 'InvalidClientTokenId', status: 403 },
  skew: { code: 'SignatureDoesNotMatch', status: 403 },
  'presign-expired': { code: 'SignatureDoesNotMatch', status: 403 },
  'payload-hash': { code: 'SignatureDoesNotMatch', status: 403 },
};

/** XML namespace of each Query-protocol service's documents. */
const queryNamespaces: Readonly<Record<string, string>> = { sns: 'http://sns.amazonaws.com/doc/2010-03-31/' };

function queryServiceError(service: string, status: number, code: string, message: string): AwsResponse {
  return queryError({ status, code, message, namespace: queryNamespaces[service] ?? '', requestId: randomUUID() });
}

/** JSON content type of each JSON-protocol service (what its SDK client sends and expects). */
const jsonContentTypes: Readonly<Record<string, string>> = {
  dynamodb: 'application/x-amz-json-1.0',
  sqs: 'application/x-amz-json-1.0',
  monitoring: 'application/x-amz-json-1.0',
};
const restServices = new Set(['iot', 'iotdata', 'iot-jobs-data']);

export function authenticationError(service: string, kind: AuthFailureKind, message: string): AwsResponse {
  if (service === 's3') {
    const s3 = s3Codes[kind];
    return s3Error(s3.status, s3.code, s3.message ?? message);
  }
  if (queryProtocolServices.has(service)) return queryServiceError(service, queryCodes[kind].status, queryCodes[kind].code, message);
  return serviceError(service, jsonCodes[kind], message);
}

export function accessDeniedError(service: string, message: string): AwsResponse {
  if (service === 's3') return s3Error(403, 'AccessDenied', message);
  // SNS answers a denied action with its own code (AuthorizationErrorException in the SDK).
  if (queryProtocolServices.has(service)) return queryServiceError(service, 403, 'AuthorizationError', message);
  return serviceError(service, 'AccessDeniedException', message);
}

/** An error for a request no stand-in was chosen for yet (bad Host, foreign Origin, ...). */
export function serviceError(service: string, code: string, message: string): AwsResponse {
  if (service === 's3') return s3Error(400, code, message);
  if (queryProtocolServices.has(service)) return queryServiceError(service, 400, code, message);
  if (restServices.has(service)) return jsonError(new AwsError(code, message, 403), 'application/json');
  return jsonError(new AwsError(code, message, 400), jsonContentTypes[service] ?? 'application/x-amz-json-1.1');
}

export function s3Error(status: number, code: string, message: string, resource?: string): AwsResponse {
  const escape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escape(message)}</Message>${
      resource !== undefined ? `<Resource>${escape(resource)}</Resource>` : ''
    }</Error>`,
  };
}
