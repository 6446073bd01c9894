import { describe, expect, it } from 'vitest';
import { errorCodeForStatus, errorCodes, isErrorCode } from './error-codes.ts';

describe('the closed set of error codes', () => {
  it('gives every status a code of the set with that status', () => {
    for (const status of [400, 401, 403, 404, 408, 409, 413, 414, 415, 431, 500, 501, 502, 503, 504]) {
      expect(errorCodes[errorCodeForStatus(status)], String(status)).toBe(status);
    }
    expect(errorCodeForStatus(418)).toBe('MalformedRequest');
    expect(errorCodeForStatus(599)).toBe('InternalError');
  });

  it('recognizes only its own codes, not inherited property names', () => {
    expect(isErrorCode('DeviceNotFound')).toBe(true);
    for (const other of ['toString', 'constructor', '__proto__', 'FST_ERR_CTP_INVALID_JSON_BODY', 42])
      expect(isErrorCode(other)).toBe(false);
  });
});
