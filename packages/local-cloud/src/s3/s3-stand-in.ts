/**
 * S3 stand-in: s3rver in a supervised child process started with `--openssl-legacy-provider`, reached
 * through the local AWS endpoint with path-style requests (SDK v3 uses path style by itself when
 * the endpoint host is an IP such as 127.0.0.1).
 *
 * The forwarding handler makes s3rver safe for any SDK configuration:
 * - aws-chunked upload bodies are decoded before they reach s3rver, which would otherwise store
 *   the framing inside the object (NOTES.md: silent corruption without
 *   `requestChecksumCalculation: 'WHEN_REQUIRED'`);
 * - the access key is replaced by s3rver's own (it refuses unknown keys, and does not verify SigV4
 *   signatures: the local AWS endpoint has verified the request before it gets here);
 * - bucket names and keys that s3rver's filesystem store would resolve outside the bucket are
 *   refused (request-guard.ts);
 * - Host becomes loopback so no host name is mistaken for a virtual-hosted bucket;
 * - while s3rver is down and being restarted, requests get S3's 503 ServiceUnavailable;
 * - bucket lifecycle configurations (`?lifecycle`) are kept and enforced here (lifecycle-*.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { AwsServiceHandler } from '../aws-endpoint/index.ts';
import { s3Error } from '../aws-endpoint/service-errors.ts';
import {
  createForwardTarget,
  forwardHttp,
  StandInUnavailable,
  startSupervisedChild,
  type ChildStatus,
  type SupervisedChild,
} from '../child-process/index.ts';
import { S3Client } from '@aws-sdk/client-s3';
import { decodeAwsChunked, isAwsChunked } from './aws-chunked.ts';
import { createLifecycleHandler, isLifecycleRequest } from './lifecycle-handler.ts';
import { loadLifecycleStore } from './lifecycle-store.ts';
import { sweepExpiredObjects } from './lifecycle-sweeper.ts';
import { refuseUnsafeS3Request } from './request-guard.ts';
import { normalizeS3rverAnswer } from './s3rver-answers.ts';

export interface S3Options {
  /** The stand-in's own folder (`<data>/s3`); s3rver keeps one folder per bucket in `buckets/`. */
  readonly dataDir: string;
  readonly log?: Logger;
  /** Every state change of the s3rver process (down, starting, up). */
  readonly onStateChange?: (status: ChildStatus) => void;
  /** How often objects are expired by the buckets' lifecycle rules. @default 3,600,000 (an hour; and once at start) */
  readonly lifecycleSweepIntervalMs?: number;
}

export interface S3StandIn {
  readonly handler: AwsServiceHandler;
  /** The supervised s3rver process: state, pid, port, restarts. */
  readonly process: SupervisedChild;
  /** Runs one lifecycle sweep now (`now` for tests); resolves with the number of objects deleted. */
  sweepExpiredObjects(now?: () => number): Promise<number>;
  close(): Promise<void>;
}

const s3rverScript = fileURLToPath(new URL('./s3rver-main.mjs', import.meta.url));
/** s3rver's built-in account (lib/models/account.js). */
const s3rverAccessKey = 'S3RVER';

export async function startS3(options: S3Options): Promise<S3StandIn> {
  const log = options.log?.child({ service: 's3' });
  const directory = join(options.dataDir, 'buckets');
  await mkdir(directory, { recursive: true });
  const child = await startSupervisedChild({
    name: 's3rver',
    script: s3rverScript,
    args: ({ port }) => [directory, String(port ?? 0)],
    execArgv: ['--openssl-legacy-provider'],
    ...(log ? { log } : {}),
    ...(options.onStateChange ? { onStateChange: options.onStateChange } : {}),
  });
  const target = createForwardTarget('S3', child.port);
  // The stand-in's own client of s3rver (lifecycle checks and sweeps); its endpoint follows a restart.
  const client = new S3Client({
    endpoint: () => Promise.resolve({ url: new URL(`http://127.0.0.1:${child.status().port ?? 0}`) }),
    region: 'us-east-1',
    credentials: { accessKeyId: s3rverAccessKey, secretAccessKey: s3rverAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const lifecycleStore = await loadLifecycleStore(join(options.dataDir, 'lifecycle.json'));
  const lifecycle = createLifecycleHandler({ client, store: lifecycleStore });
  let sweeping: Promise<number> | undefined;
  const runSweep = (now?: () => number) =>
    sweepExpiredObjects({ client, store: lifecycleStore, ...(log ? { log } : {}), ...(now ? { now } : {}) });
  // The timer's sweeps never overlap; a sweep asked for with its own clock (tests) runs as asked.
  const sweep = (now?: () => number) => (now ? runSweep(now) : (sweeping ??= runSweep().finally(() => (sweeping = undefined))));
  void sweep();
  const timer = setInterval(() => void sweep(), options.lifecycleSweepIntervalMs ?? 3_600_000);
  timer.unref();

  const handler: AwsServiceHandler = async (req) => {
    const unsafe = refuseUnsafeS3Request(req);
    if (unsafe) return unsafe;
    if (isLifecycleRequest(req)) {
      try {
        return await lifecycle(req);
      } catch (err) {
        return s3Error(503, 'ServiceUnavailable', `The local S3 could not check the bucket: ${(err as Error).message}`, req.path);
      }
    }
    let body = req.body;
    const headers: IncomingHttpHeaders = { ...req.headers, host: `127.0.0.1:${child.port() ?? 0}` };
    if (isAwsChunked(req.headers)) {
      try {
        body = decodeAwsChunked(req.body).body;
      } catch (err) {
        return s3Error(400, 'IncompleteBody', (err as Error).message, req.path);
      }
      const declared = req.headers['x-amz-decoded-content-length'];
      if (typeof declared === 'string' && Number(declared) !== body.length) {
        return s3Error(
          400,
          'IncompleteBody',
          `The request body decoded to ${body.length} bytes, but x-amz-decoded-content-length says ${declared}.`,
          req.path,
        );
      }
      const encodings = String(req.headers['content-encoding'] ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '' && e !== 'aws-chunked');
      if (encodings.length > 0) headers['content-encoding'] = encodings.join(', ');
      else delete headers['content-encoding'];
      delete headers['x-amz-decoded-content-length'];
      delete headers['x-amz-trailer'];
      headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    }
    if (typeof headers.authorization === 'string') {
      headers.authorization = headers.authorization.replace(/Credential=[^/,\s]+\//, `Credential=${s3rverAccessKey}/`);
    }
    // Presigned URLs carry the key in the query; only that parameter is touched so the path
    // (object keys with any characters) reaches s3rver byte for byte.
    const url = req.rawUrl.replace(/([?&]X-Amz-Credential=)[^&/%]+(%2F|\/)/i, `$1${s3rverAccessKey}$2`);
    try {
      return normalizeS3rverAnswer(await forwardHttp(target, { method: req.method, url, headers, body }), req);
    } catch (err) {
      if (!(err instanceof StandInUnavailable)) throw err;
      // S3 Error Responses: 503 ServiceUnavailable, "Service is unable to handle request"; SDKs retry it.
      return s3Error(503, 'ServiceUnavailable', err.message, req.path);
    }
  };

  return {
    handler,
    process: child,
    sweepExpiredObjects: sweep,
    async close() {
      clearInterval(timer);
      await sweeping?.catch(() => undefined);
      client.destroy();
      target.agent.destroy();
      await child.stop();
    },
  };
}
