import { describe, expect, it } from 'vitest';
import { longDate, parseLongDate, parseQuery, parseSignature } from './sigv4-signature.ts';

const credential = 'AKID/20260115/us-east-1/sqs/aws4_request';
const authorization = `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host;x-amz-date, Signature=abc`;

describe('parseSignature', () => {
  it('reads the Authorization header with X-Amz-Date and the session token header', () => {
    expect(parseSignature({ authorization, 'x-amz-date': '20260115T120000Z', 'x-amz-security-token': 'tok' }, [])).toEqual({
      accessKeyId: 'AKID',
      scope: { day: '20260115', region: 'us-east-1', service: 'sqs' },
      signedHeaders: ['host', 'x-amz-date'],
      signature: 'abc',
      longDate: '20260115T120000Z',
      presigned: false,
      sessionToken: 'tok',
    });
  });

  it('takes the HTTP Date header when there is no X-Amz-Date', () => {
    expect(parseSignature({ authorization, date: 'Thu, 15 Jan 2026 12:00:00 GMT' }, [])).toMatchObject({ longDate: '20260115T120000Z' });
  });

  it('reads a presigned query, with its lifetime, or the default lifetime when X-Amz-Expires is absent', () => {
    const query: [string, string][] = [
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
      ['X-Amz-Credential', credential],
      ['X-Amz-Date', '20260115T120000Z'],
      ['X-Amz-SignedHeaders', 'host'],
      ['X-Amz-Signature', 'def'],
    ];
    expect(parseSignature({}, [...query, ['X-Amz-Expires', '60']])).toMatchObject({ presigned: true, expiresSeconds: 60 });
    expect(parseSignature({}, query)).toMatchObject({ kind: 'incomplete' });
    expect(parseSignature({}, query, 900)).toMatchObject({ presigned: true, expiresSeconds: 900 });
  });

  it('answers AWS messages for a missing, doubled, foreign or incomplete signature', () => {
    expect(parseSignature({}, [])).toEqual({ kind: 'missing', message: 'Request is missing Authentication Token' });
    expect(parseSignature({ authorization }, [['X-Amz-Algorithm', 'AWS4-HMAC-SHA256']])).toMatchObject({ kind: 'incomplete' });
    expect(parseSignature({ authorization: 'AWS3 x' }, [])).toMatchObject({
      kind: 'incomplete',
      message: expect.stringContaining("'AWS3'"),
    });
    expect(
      parseSignature({ authorization: 'AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=x', 'x-amz-date': 'x' }, []),
    ).toMatchObject({
      kind: 'incomplete',
      message: expect.stringContaining('5 slash-delimited elements'),
    });
    expect(parseSignature({ authorization: `AWS4-HMAC-SHA256 Credential=${credential}` }, [])).toMatchObject({
      kind: 'incomplete',
      message: "The signature is missing 'SignedHeaders', 'Signature', 'X-Amz-Date'.",
    });
  });
});

describe('query and dates', () => {
  it('decodes query parameters once, keeping + and malformed escapes as sent', () => {
    expect(parseQuery('a=1%2B2&b=x+y&c=%E0%A4%A&&d')).toEqual([
      ['a', '1+2'],
      ['b', 'x+y'],
      ['c', '%E0%A4%A'],
      ['d', ''],
    ]);
  });

  it('reads and writes the ISO 8601 basic format SigV4 uses', () => {
    const ms = Date.UTC(2026, 0, 15, 12, 30, 5);
    expect(longDate(ms)).toBe('20260115T123005Z');
    expect(parseLongDate('20260115T123005Z')).toBe(ms);
    expect(parseLongDate('2026-01-15T12:30:05Z')).toBeUndefined();
  });
});
