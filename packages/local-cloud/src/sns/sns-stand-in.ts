/**
 * The SNS stand-in on the AWS Query protocol that @aws-sdk/client-sns v3 and the AWS CLI speak
 * (form-encoded `Action=<Op>&Version=2010-03-31`, XML answers, `<ErrorResponse>` errors with SNS's
 * codes). Topics and subscriptions in topic-operations.ts and subscription-operations.ts; Publish
 * in publish-operations.ts; what a message becomes per subscription in fan-out.ts; sending and
 * retrying in delivery-worker.ts; durable state in sns-store.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AwsError } from '../aws-endpoint/aws-error.ts';
import type { AwsRequest, AwsResponse, AwsServiceHandler } from '../aws-endpoint/aws-request.ts';
import { queryError, queryParameters } from '../aws-endpoint/query-protocol.ts';
import { createDeliveryWorker } from './delivery-worker.ts';
import { mailboxRoute } from './mailbox-route.ts';
import { publishOperations } from './publish-operations.ts';
import { responseDocument, snsNamespace } from './query-response.ts';
import { signingCertificatePath } from './sns-messages.ts';
import type { SnsContext } from './sns-context.ts';
import type { SnsOperation } from './sns-operation.ts';
import { openSnsStore } from './sns-store.ts';
import { loadOrCreateSigningCertificate } from './signing-certificate.ts';
import { subscriptionOperations } from './subscription-operations.ts';
import { topicOperations } from './topic-operations.ts';

export interface SnsStandInOptions {
  /** Folder of the store, the signing key and certificate (created if missing). */
  readonly dataDir: string;
  /** Base URL of the local AWS port (SubscribeURL, UnsubscribeURL and SigningCertURL start with it). */
  readonly endpointUrl: string;
  readonly region: string;
  readonly accountId: string;
  /** Delivers a message into an SQS queue of the local cloud (`sqs` subscriptions); without it they wait and retry. */
  readonly deliverToSqs?: (queueArn: string, body: string) => Promise<void>;
  /** Milliseconds in one second of a delivery retry policy (tests shrink it). @default 1000 */
  readonly retrySecondMs?: number;
  /** @default 15000 */
  readonly httpTimeoutMs?: number;
  /** Items per page of ListTopics / ListSubscriptions. @default 100 */
  readonly pageSize?: number;
  readonly log?: Logger;
}

export interface SnsStandIn {
  /** The Query API (signing name `sns`). */
  readonly handler: AwsServiceHandler;
  /** `GET /_fleet/sns/SimpleNotificationService.pem`: the certificate receivers verify signatures with. */
  readonly certificateHandler: AwsServiceHandler;
  /** `GET /_fleet/mailbox`: the local mailbox. */
  readonly mailboxHandler: AwsServiceHandler;
  /** Stops deliveries (pending ones stay stored), then closes the store. */
  close(): Promise<void>;
}

export async function createSnsStandIn(options: SnsStandInOptions): Promise<SnsStandIn> {
  await mkdir(options.dataDir, { recursive: true });
  const signing = await loadOrCreateSigningCertificate(options.dataDir);
  const store = await openSnsStore(join(options.dataDir, 'leveldb'));
  const log = options.log?.child({ service: 'sns' });
  const loaded = await store.load();
  const subscriptions = new Map(loaded.subscriptions.map((subscription) => [subscription.arn, subscription]));
  const worker = createDeliveryWorker({
    store,
    isSubscribed: (arn) => subscriptions.has(arn),
    ...(options.deliverToSqs ? { deliverToSqs: options.deliverToSqs } : {}),
    ...(options.retrySecondMs !== undefined ? { secondMs: options.retrySecondMs } : {}),
    ...(options.httpTimeoutMs !== undefined ? { httpTimeoutMs: options.httpTimeoutMs } : {}),
    ...(log ? { log } : {}),
  });
  const context: SnsContext = {
    region: options.region,
    accountId: options.accountId,
    urls: { endpointUrl: options.endpointUrl.replace(/\/+$/, ''), privateKey: signing.privateKey },
    store,
    worker,
    topics: new Map(loaded.topics.map((topic) => [topic.arn, topic])),
    subscriptions,
    deletedCounts: new Map(),
    pageSize: options.pageSize ?? 100,
    now: Date.now,
  };
  const operations: Readonly<Record<string, SnsOperation>> = {
    ...topicOperations(context),
    ...subscriptionOperations(context),
    ...publishOperations(context),
  };
  // Deliveries a previous run stored and did not finish (a crash, or a stop before they were sent).
  worker.schedule(loaded.deliveries);
  if (loaded.deliveries.length > 0) log?.info({ pending: loaded.deliveries.length }, 'resuming stored sns deliveries');

  async function handler(req: AwsRequest): Promise<AwsResponse> {
    const requestId = randomUUID();
    const params = queryParameters(req.headers, req.query, req.body);
    const operation = params.get('Action') ?? '';
    const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
    try {
      if (!run)
        throw new AwsError(
          'InvalidAction',
          `The action ${operation || '(none)'} is not valid for this endpoint (the local cloud's SNS serves ${Object.keys(operations).join(', ')})`,
        );
      const result = await run(params, { signed: req.accessKeyId !== undefined });
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body: responseDocument(operation, result, requestId),
      };
    } catch (err) {
      if (!(err instanceof AwsError)) log?.error({ err, operation }, 'sns operation failed');
      const error = err instanceof AwsError ? err : new AwsError('InternalError', `Internal error: ${(err as Error).message}`, 500);
      return queryError({ status: error.status, code: error.code, message: error.message, namespace: snsNamespace, requestId });
    }
  }

  return {
    handler,
    certificateHandler: async (req) =>
      req.path === signingCertificatePath
        ? { status: 200, headers: { 'content-type': 'application/x-pem-file' }, body: signing.certificatePem }
        : { status: 404, headers: { 'content-type': 'text/plain' }, body: `No such path ${req.path}` },
    mailboxHandler: mailboxRoute(store),
    async close() {
      await worker.close();
      await store.close();
    },
  };
}
