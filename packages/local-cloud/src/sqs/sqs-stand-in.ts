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
import { jsonProtocolHandler, type AwsServiceHandler } from '../aws-endpoint/index.ts';
import { createSqsEngine } from './sqs-engine.ts';
import { messageOperations } from './sqs-message-operations.ts';
import { createMoveTasks } from './sqs-move-tasks.ts';
import { moveTaskOperations } from './sqs-move-task-operations.ts';
import { queueOperations } from './sqs-queue-operations.ts';
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
  return {
    handler,
    async close() {
      await moveTasks.close();
      await engine.close();
    },
  };
}
