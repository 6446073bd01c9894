/**
 * The Data Service scales out on the ingest queue's backlog, the way SQS consumers on ECS do: a
 * step-scaling policy on ApplicationAutoScaling, driven by the queue's
 * ApproximateNumberOfMessagesVisible (one more task while the backlog is over `scaleOutAt`, two
 * over ten times that, one fewer below `scaleInBelow`). The numbers are core's `queueScaling`, the
 * same that bound `npm start -- --data-tasks` locally. Every task consumes the same queue; the
 * writes are idempotent, so a reading two tasks both receive is still stored once.
 */
import { Duration } from 'aws-cdk-lib';
import { AdjustmentType } from 'aws-cdk-lib/aws-applicationautoscaling';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ServiceDefinition } from '@fleet/core';

export function scaleOnQueueBacklog(service: ecs.FargateService, definition: ServiceDefinition, queue: sqs.IQueue): void {
  const scaling = definition.queueScaling;
  if (!scaling) throw new Error(`service ${definition.name} has no queueScaling in @fleet/core`);
  const taskCount = service.autoScaleTaskCount({ minCapacity: scaling.minTasks, maxCapacity: scaling.maxTasks });
  taskCount.scaleOnMetric('IngestBacklog', {
    // SQS publishes its metrics every minute; the maximum over that minute is the backlog to beat.
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    adjustmentType: AdjustmentType.CHANGE_IN_CAPACITY,
    scalingSteps: [
      { upper: scaling.scaleInBelow, change: -1 },
      { lower: scaling.scaleOutAt, change: +1 },
      { lower: scaling.scaleOutAt * 10, change: +2 },
    ],
    // A new task needs about a minute to start and drain its share before the next decision.
    cooldown: Duration.minutes(2),
    evaluationPeriods: 2,
  });
}
