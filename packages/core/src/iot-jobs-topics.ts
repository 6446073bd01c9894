/**
 * The reserved MQTT topics of AWS IoT Jobs for one thing
 * (https://docs.aws.amazon.com/iot/latest/developerguide/reserved-topics.html#reserved-topics-job):
 * builders for the device side and a parser for the service side.
 */

/** The device requests of the Jobs MQTT API. */
export type JobsOperation = 'get' | 'start-next' | 'describe' | 'update';

const prefix = (thingName: string) => `$aws/things/${thingName}/jobs`;

export const jobsTopics = {
  /** Service → device: the list of pending executions changed. */
  notify: (thingName: string) => `${prefix(thingName)}/notify`,
  /** Service → device: the next pending execution changed. */
  notifyNext: (thingName: string) => `${prefix(thingName)}/notify-next`,
  /** GetPendingJobExecutions. */
  get: (thingName: string) => `${prefix(thingName)}/get`,
  /** StartNextPendingJobExecution. */
  startNext: (thingName: string) => `${prefix(thingName)}/start-next`,
  /** DescribeJobExecution; `jobId` may be `$next`. */
  describe: (thingName: string, jobId: string) => `${prefix(thingName)}/${jobId}/get`,
  /** UpdateJobExecution. */
  update: (thingName: string, jobId: string) => `${prefix(thingName)}/${jobId}/update`,
  /** The reply topics of a request topic. */
  accepted: (requestTopic: string) => `${requestTopic}/accepted`,
  rejected: (requestTopic: string) => `${requestTopic}/rejected`,
  /** Every jobs topic of a thing, for a device's subscription. */
  all: (thingName: string) => `${prefix(thingName)}/#`,
} as const;

/** A request a device published on a jobs topic, as the service reads it. */
export type ParsedJobsTopic =
  | { readonly kind: 'request'; readonly thingName: string; readonly operation: JobsOperation; readonly jobId?: string }
  /** A topic under `$aws/things/<thing>/jobs/` that maps to no operation (answered with InvalidTopic). */
  | { readonly kind: 'invalid'; readonly thingName: string }
  /** Replies and notifications: the service's own messages, not requests. */
  | { readonly kind: 'reply'; readonly thingName: string }
  | { readonly kind: 'notification'; readonly thingName: string };

/**
 * Reads a topic under `$aws/things/<thing>/jobs/`; undefined for any other topic. Job ids are
 * `[a-zA-Z0-9_-]{1,64}` (CreateJob), or `$next` for DescribeJobExecution.
 */
export function parseJobsTopic(topic: string): ParsedJobsTopic | undefined {
  const parts = topic.split('/');
  if (parts.length < 4 || parts[0] !== '$aws' || parts[1] !== 'things' || parts[3] !== 'jobs') return undefined;
  const thingName = parts[2] as string;
  const rest = parts.slice(4);
  const last = rest.at(-1);
  if (rest.length >= 2 && (last === 'accepted' || last === 'rejected')) return { kind: 'reply', thingName };
  if (rest.length === 1 && (rest[0] === 'notify' || rest[0] === 'notify-next')) return { kind: 'notification', thingName };
  if (rest.length === 1 && rest[0] === 'get') return { kind: 'request', thingName, operation: 'get' };
  if (rest.length === 1 && rest[0] === 'start-next') return { kind: 'request', thingName, operation: 'start-next' };
  if (rest.length === 2) {
    const [jobId = '', verb] = rest;
    if (verb === 'get' && (jobId === '$next' || jobIdPattern.test(jobId)))
      return { kind: 'request', thingName, operation: 'describe', jobId };
    if (verb === 'update' && jobIdPattern.test(jobId)) return { kind: 'request', thingName, operation: 'update', jobId };
  }
  return { kind: 'invalid', thingName };
}

/** CreateJob's jobId: `[a-zA-Z0-9_-]+`, 1 to 64 characters. */
export const jobIdPattern = /^[a-zA-Z0-9_-]{1,64}$/;
