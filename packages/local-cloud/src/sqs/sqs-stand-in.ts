/**
 * The SQS stand-in on the AWS JSON protocol that @aws-sdk/client-sqs v3 speaks
 * (`X-Amz-Target: AmazonSQS.<Op>`, `application/x-amz-json-1.0`). Input validation and output
 * shapes follow the SQS API Reference (sqs-queue-operations.ts, sqs-message-operations.ts,
 * sqs-move-task-operations.ts); the queue semantics live in sqs-engine.ts and the durable storage
 * in sqs-store.ts.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AwsError, jsonProtocolHandler, type AwsServiceHandler } from '../aws-endpoint/index.ts';
import { createSqsEngine } from './sqs-engine.ts';
import { messageOperations, sendEach } from './sqs-message-operations.ts';
import { createMoveTasks } from './sqs-move-tasks.ts';
import { moveTaskOperations } from './sqs-move-task-operations.ts';
import { queueName, queueOperations } from './sqs-queue-operations.ts';
import { batchFailure } from './sqs-errors.ts';
import { openSqsStore } from './sqs-store.ts';

export interface SqsStandInOptions {
  /** Folder holding the queue database (created if missing). */
  readonly dataDir: string;
  /** Base URL clients reach the local AWS endpoint at, e.g. `http://127.0.0.1:4566`; queue URLs start with it. */
  readonly endpointUrl: string;
  readonly log?: Logger;
}

export interface SqsStandIn {
  readonly handler: AwsServiceHandler;
  /**
   * Sends `bodies` to the queue at `queueUrl` in one durable write, validated as SendMessage is:
   * one outcome per body, `undefined` once stored or the error SendMessage would answer. What IoT
   * Rules' SQS action calls: a managed call inside the cloud, not a client on the wire.
   */
  sendBatch(queueUrl: string, bodies: readonly string[]): Promise<(Error | undefined)[]>;
  /** Answers pending long polls, then closes the database. */
  close(): Promise<void>;
}

/** Opens (or creates) the durable queue store in `<dataDir>/leveldb` and answers SQS JSON requests. */
export async function createSqsStandIn(options: SqsStandInOptions): Promise<SqsStandIn> {
  const location = join(options.dataDir, 'leveldb');
  await mkdir(location, { recursive: true });
  const store = await openSqsStore(location);
  const log = options.log?.child({ service: 'sqs' });
  const engine = await createSqsEngine({ store, ...(log ? { log } : {}) });
  const moveTasks = createMoveTasks({ engine, ...(log ? { log } : {}) });
  const handler = jsonProtocolHandler({
    service: 'SQS',
    contentType: 'application/x-amz-json-1.0',
    operations: {
      ...queueOperations(engine, options.endpointUrl.replace(/\/+$/, '')),
      ...messageOperations(engine),
      ...moveTaskOperations(moveTasks),
    },
  });
  async function sendBatch(queueUrl: string, bodies: readonly string[]): Promise<(Error | undefined)[]> {
    let results;
    try {
      results = await sendEach(
        engine,
        queueName({ QueueUrl: queueUrl }),
        bodies.map((body) => ({ MessageBody: body })),
      );
    } catch (err) {
      throw codeFirst(err);
    }
    return results.map((result) => (result instanceof AwsError ? codeFirst(result) : undefined));
  }

  return {
    handler,
    sendBatch,
    async close() {
      await moveTasks.close();
      await engine.close();
    },
  };
}

/** The error as the SDK path reports a failed batch entry: `<Code>: <Message>`, with SendMessageBatch's codes. */
function codeFirst(err: unknown): Error {
  if (!(err instanceof AwsError)) return err instanceof Error ? err : new Error(String(err));
  const { Code, Message } = batchFailure('', err);
  return new Error(`${Code}: ${Message}`);
}
