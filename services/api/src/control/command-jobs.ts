/**
 * Commands are AWS IoT jobs (https://docs.aws.amazon.com/iot/latest/developerguide/iot-jobs.html):
 * durable, delivered to a device whenever it connects, with a state per device (its execution)
 * that the device moves forward and may answer in (`statusDetails`). The API creates, reads and
 * cancels them through the IoT control plane, the same calls on AWS and locally.
 */
import { randomBytes } from 'node:crypto';
import {
  CancelJobCommand,
  CancelJobExecutionCommand,
  CreateJobCommand,
  DescribeJobCommand,
  DescribeJobExecutionCommand,
  DescribeThingGroupCommand,
  GetJobDocumentCommand,
  ListJobExecutionsForThingCommand,
  type JobExecutionSummaryForThing,
} from '@aws-sdk/client-iot';
import {
  controlLimits,
  isCommandStatus,
  mapWithLimit,
  type CommandDocument,
  type CommandExecution,
  type CommandExecutionPage,
  type CommandSummary,
} from '@fleet/core';
import { isResourceNotFound, type ApiClients } from '../aws-clients.ts';
import { apiError } from '../errors.ts';

export interface NewCommand {
  readonly document: CommandDocument;
  /** Thing or thing group ARNs. */
  readonly targets: readonly string[];
  readonly timeoutMinutes: number;
}

export interface CommandJobs {
  send(command: NewCommand): Promise<string>;
  /** A device's commands, newest first. */
  ofDevice(deviceId: string, options: { limit: number; cursor?: string }): Promise<CommandExecutionPage>;
  describe(commandId: string): Promise<CommandSummary>;
  cancel(commandId: string, force: boolean): Promise<void>;
  cancelForDevice(commandId: string, deviceId: string, force: boolean): Promise<void>;
  /** The ARN of a thing group, or GroupNotFound. */
  groupArn(group: string): Promise<string>;
}

/** Job documents never change, so the device history reads each once (a bounded cache). */
const cachedDocuments = 1000;
/** DescribeJobExecution / GetJobDocument calls in flight for one page. */
const readConcurrency = 8;

export function createCommandJobs(iot: ApiClients['iot']): CommandJobs {
  const documents = new Map<string, CommandDocument | undefined>();
  const documentOf = async (jobId: string): Promise<CommandDocument | undefined> => {
    if (documents.has(jobId)) return documents.get(jobId);
    const answer = await iot.send(new GetJobDocumentCommand({ jobId }));
    const document = parseDocument(answer.document);
    if (documents.size >= cachedDocuments) documents.delete(documents.keys().next().value as string);
    documents.set(jobId, document);
    return document;
  };

  return {
    async send({ document, targets, timeoutMinutes }) {
      const jobId = newCommandId();
      await iot.send(
        new CreateJobCommand({
          jobId,
          targets: [...targets],
          document: JSON.stringify(document),
          description: `${document.command} by ${document.issuedBy}`,
          targetSelection: 'SNAPSHOT',
          timeoutConfig: { inProgressTimeoutInMinutes: timeoutMinutes },
        }),
      );
      return jobId;
    },

    async ofDevice(deviceId, { limit, cursor }) {
      const page = await iot.send(
        new ListJobExecutionsForThingCommand({ thingName: deviceId, maxResults: limit, ...(cursor ? { nextToken: cursor } : {}) }),
      );
      const summaries = (page.executionSummaries ?? []).filter((s): s is JobExecutionSummaryForThing & { jobId: string } => !!s.jobId);
      const items = await mapWithLimit(summaries, readConcurrency, async (summary) => {
        const [execution, document] = await Promise.all([
          iot.send(new DescribeJobExecutionCommand({ jobId: summary.jobId, thingName: deviceId })).then((a) => a.execution),
          documentOf(summary.jobId),
        ]);
        const status = execution?.status ?? summary.jobExecutionSummary?.status;
        const queuedAt = execution?.queuedAt ?? summary.jobExecutionSummary?.queuedAt ?? new Date(0);
        const view: CommandExecution = {
          commandId: summary.jobId,
          deviceId,
          ...(document ? { command: document.command, args: document.args, issuedBy: document.issuedBy } : {}),
          status: isCommandStatus(status) ? status : 'QUEUED',
          ...(execution?.statusDetails?.detailsMap ? { answer: execution.statusDetails.detailsMap } : {}),
          queuedAt: queuedAt.toISOString(),
          ...(execution?.startedAt ? { startedAt: execution.startedAt.toISOString() } : {}),
          updatedAt: (execution?.lastUpdatedAt ?? queuedAt).toISOString(),
          ...(execution?.executionNumber ? { executionNumber: execution.executionNumber } : {}),
          ...(execution?.versionNumber ? { versionNumber: execution.versionNumber } : {}),
        };
        return view;
      });
      items.sort((a, b) => b.queuedAt.localeCompare(a.queuedAt) || b.commandId.localeCompare(a.commandId));
      return { items, ...(page.nextToken ? { nextCursor: page.nextToken } : {}) };
    },

    async describe(commandId) {
      const { job } = await iot.send(new DescribeJobCommand({ jobId: commandId })).catch(refusal(commandId));
      const document = await documentOf(commandId);
      const details = job?.jobProcessDetails ?? {};
      const counts = {
        QUEUED: details.numberOfQueuedThings ?? 0,
        IN_PROGRESS: details.numberOfInProgressThings ?? 0,
        SUCCEEDED: details.numberOfSucceededThings ?? 0,
        FAILED: details.numberOfFailedThings ?? 0,
        TIMED_OUT: details.numberOfTimedOutThings ?? 0,
        REJECTED: details.numberOfRejectedThings ?? 0,
        REMOVED: details.numberOfRemovedThings ?? 0,
        CANCELED: details.numberOfCanceledThings ?? 0,
      };
      return {
        commandId,
        ...(document ? { command: document.command, args: document.args, issuedBy: document.issuedBy } : {}),
        status: job?.status ?? 'IN_PROGRESS',
        targets: (job?.targets ?? []).slice(0, controlLimits.maxCommandTargets),
        createdAt: (job?.createdAt ?? new Date(0)).toISOString(),
        counts,
      };
    },

    async cancel(commandId, force) {
      await iot.send(new CancelJobCommand({ jobId: commandId, force })).catch(refusal(commandId));
    },

    async cancelForDevice(commandId, deviceId, force) {
      await iot.send(new CancelJobExecutionCommand({ jobId: commandId, thingName: deviceId, force })).catch(refusal(commandId, deviceId));
    },

    async groupArn(group) {
      const answer = await iot.send(new DescribeThingGroupCommand({ thingGroupName: group })).catch((err: Error) => {
        if (isResourceNotFound(err)) throw apiError('GroupNotFound', `No thing group named "${group}"`);
        throw err;
      });
      if (!answer.thingGroupArn) throw apiError('GroupNotFound', `No thing group named "${group}"`);
      return answer.thingGroupArn;
    },
  };
}

/** `cmd-<time, base 36>-<random>`: AWS job ids allow [a-zA-Z0-9_-]{1,64}; sorting them sorts by creation. */
function newCommandId(): string {
  return `cmd-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

function parseDocument(text: string | undefined): CommandDocument | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<CommandDocument>;
    return typeof parsed.command === 'string' ? (parsed as CommandDocument) : undefined;
  } catch {
    // A job created outside Fleet (the AWS console, the CLI) may carry any document.
    return undefined;
  }
}

/** The Jobs API's refusals in the API's closed set of codes. */
function refusal(commandId: string, deviceId?: string) {
  return (err: Error): never => {
    const which = deviceId ? `Command "${commandId}" of device "${deviceId}"` : `Command "${commandId}"`;
    if (isResourceNotFound(err)) throw apiError('CommandNotFound', `${which} does not exist`);
    if (err.name === 'InvalidStateTransitionException' || err.name === 'VersionConflictException') {
      throw apiError('CommandStateConflict', `${which} cannot be canceled now: ${err.message}`);
    }
    throw err;
  };
}
