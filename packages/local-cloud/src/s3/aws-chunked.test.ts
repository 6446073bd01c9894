import { describe, expect, it } from 'vitest';
import { decodeAwsChunked, isAwsChunked } from './aws-chunked.ts';

const frame = (chunks: Buffer[], signed: boolean, trailer?: string) =>
  Buffer.concat([
    ...chunks.flatMap((chunk) => [
      Buffer.from(`${chunk.length.toString(16)}${signed ? ';chunk-signature=' + 'a'.repeat(64) : ''}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`0${signed ? ';chunk-signature=' + 'b'.repeat(64) : ''}\r\n`),
    Buffer.from(trailer ? `${trailer}\r\n\r\n` : '\r\n'),
  ]);

describe('decodeAwsChunked', () => {
  it('joins signed chunks and ignores the chunk signatures', () => {
    const parts = [Buffer.from('hello '), Buffer.from([0, 13, 10, 255]), Buffer.from('world')];
    expect(decodeAwsChunked(frame(parts, true)).body).toEqual(Buffer.concat(parts));
  });

  it('returns trailing checksum headers of unsigned streaming uploads', () => {
    const decoded = decodeAwsChunked(frame([Buffer.from('abc')], false, 'x-amz-checksum-crc32:NSRBwg=='));
    expect(decoded.body.toString()).toBe('abc');
    expect(decoded.trailers).toEqual({ 'x-amz-checksum-crc32': 'NSRBwg==' });
  });

  it('rejects a chunk that overruns the body', () => {
    expect(() => decodeAwsChunked(Buffer.from('ff\r\nabc\r\n'))).toThrow(/overruns/);
  });

  it('recognises framing by x-amz-content-sha256 or content-encoding', () => {
    expect(isAwsChunked({ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' })).toBe(true);
    expect(isAwsChunked({ 'content-encoding': 'gzip, aws-chunked' })).toBe(true);
    expect(isAwsChunked({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })).toBe(false);
  });
});
