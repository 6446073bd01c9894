export { createSqsStandIn, type SqsStandIn, type SqsStandInOptions } from './sqs-stand-in.ts';
export { ensureQueues } from './ensure-queues.ts';
export { queueArn } from './sqs-attributes.ts';
