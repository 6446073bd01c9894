/**
 * Decoding of `aws-chunked` request bodies (SigV4 streaming uploads, "Signature Calculations for
 * the Authorization Header: Transferring Payload in Multiple Chunks", S3 API Reference). SDK v3
 * sends them for streamed uploads with flexible checksums; s3rver does not understand the
 * framing and would store it inside the object, so the forwarding handler strips it first.
 *
 * Frame: `<hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n` ... `0[;chunk-signature=<sig>]\r\n`,
 * then optional trailer lines (`x-amz-checksum-crc32:<b64>\r\n`) and a final `\r\n`.
 */

export interface DecodedChunks {
  readonly body: Buffer;
  /** Trailing headers (e.g. `x-amz-checksum-crc32`), lower-cased. */
  readonly trailers: Readonly<Record<string, string>>;
}

/** Throws when the framing is broken, naming the offset. */
export function decodeAwsChunked(encoded: Buffer): DecodedChunks {
  const parts: Buffer[] = [];
  let offset = 0;
  const readLine = (): string => {
    const end = encoded.indexOf('\r\n', offset);
    if (end < 0) throw new Error(`aws-chunked body: expected CRLF after offset ${offset} of ${encoded.length} bytes`);
    const line = encoded.subarray(offset, end).toString('latin1');
    offset = end + 2;
    return line;
  };
  for (;;) {
    const header = readLine();
    const size = parseInt(header.split(';')[0] ?? '', 16);
    if (!Number.isInteger(size) || size < 0) throw new Error(`aws-chunked body: bad chunk header "${header}" at offset ${offset}`);
    if (size === 0) break;
    if (offset + size + 2 > encoded.length)
      throw new Error(`aws-chunked body: chunk of ${size} bytes at offset ${offset} overruns the ${encoded.length}-byte body`);
    parts.push(encoded.subarray(offset, offset + size));
    offset += size + 2;
  }
  const trailers: Record<string, string> = {};
  while (offset < encoded.length) {
    const line = readLine();
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

/** True when the request body is aws-chunked framed. */
export function isAwsChunked(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const sha = headers['x-amz-content-sha256'];
  const encoding = headers['content-encoding'];
  return (
    (typeof sha === 'string' && sha.startsWith('STREAMING-')) ||
    (typeof encoding === 'string' && encoding.split(',').some((e) => e.trim() === 'aws-chunked'))
  );
}
