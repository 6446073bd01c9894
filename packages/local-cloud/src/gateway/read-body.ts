import type { IncomingMessage } from 'node:http';

/**
 * Reads a request body of at most `limit` bytes. Buffering it (API Gateway does too) means the
 * service gets it in one write: a service that answers early and closes (its own 413) cannot
 * reset a connection the gateway is still writing to, which lost its answer.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // What is still coming is drained by Node once the 413 is sent (bounded by the request timeout).
        req.removeListener('data', onData);
        req.removeListener('end', onEnd);
        return resolve('too-large');
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}
