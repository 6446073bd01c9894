/**
 * Test support: a queue in an in-process SQS stand-in, created and read through the stand-in's
 * own JSON handler (no port needed), to see what SNS delivered into it.
 */
import type { SqsStandIn } from '../sqs/index.ts';

export interface SqsTestQueue {
  /** Bodies of up to `count` messages, waiting up to 2 s for the first (long poll); received messages are deleted. */
  receive(count: number): Promise<string[]>;
}

export async function createSqsTestQueue(sqs: SqsStandIn, name: string): Promise<SqsTestQueue> {
  const call = async (operation: string, input: Record<string, unknown>) => {
    const response = await sqs.handler({
      method: 'POST',
      path: '/',
      rawUrl: '/',
      query: new URLSearchParams(),
      headers: {},
      body: Buffer.from(JSON.stringify(input)),
      service: 'sqs',
      operation,
    });
    if (response.status !== 200) throw new Error(`SQS ${operation} answered ${response.status}: ${String(response.body)}`);
    return JSON.parse(String(response.body)) as Record<string, unknown>;
  };
  const { QueueUrl } = (await call('CreateQueue', { QueueName: name })) as { QueueUrl: string };
  return {
    async receive(count) {
      const { Messages = [] } = (await call('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: count, WaitTimeSeconds: 2 })) as {
        Messages?: { Body: string; ReceiptHandle: string }[];
      };
      for (const message of Messages) await call('DeleteMessage', { QueueUrl, ReceiptHandle: message.ReceiptHandle });
      return Messages.map((message) => message.Body);
    },
  };
}
