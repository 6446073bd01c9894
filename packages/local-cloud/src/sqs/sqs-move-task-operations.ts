/**
 * The three message move task operations of the SQS JSON protocol (input validation and output
 * shapes of the SQS API Reference); the task semantics live in sqs-move-tasks.ts.
 */
import type { JsonOperation } from '../aws-endpoint/index.ts';
import { invalidParameter } from './sqs-errors.ts';
import { optionalInteger, requiredString } from './sqs-input.ts';
import type { MoveTasks } from './sqs-move-tasks.ts';

export function moveTaskOperations(tasks: MoveTasks): Record<string, JsonOperation> {
  return {
    async StartMessageMoveTask(input) {
      const maxPerSecond = optionalInteger(input, 'MaxNumberOfMessagesPerSecond', 1, 500);
      const destinationArn = input.DestinationArn;
      if (destinationArn !== undefined && destinationArn !== null && typeof destinationArn !== 'string') {
        throw invalidParameter(`Value ${String(destinationArn)} for parameter DestinationArn is invalid. Reason: expected a queue ARN.`);
      }
      const TaskHandle = tasks.start({
        sourceArn: requiredString(input, 'SourceArn'),
        ...(typeof destinationArn === 'string' ? { destinationArn } : {}),
        ...(maxPerSecond !== undefined ? { maxPerSecond } : {}),
      });
      return { TaskHandle };
    },

    async ListMessageMoveTasks(input) {
      const max = optionalInteger(input, 'MaxResults', 1, 10) ?? 1;
      return { Results: tasks.list(requiredString(input, 'SourceArn'), max) };
    },

    async CancelMessageMoveTask(input) {
      return { ApproximateNumberOfMessagesMoved: tasks.cancel(requiredString(input, 'TaskHandle')) };
    },
  };
}
