/**
 * CreateJob's request (https://docs.aws.amazon.com/iot/latest/apireference/API_CreateJob.html),
 * read and checked against the API reference's constraints: job id `[a-zA-Z0-9_-]{1,64}`, 1 to
 * 100 targets (thing or thing-group ARNs of this account), a JSON object document of at most 32,768
 * characters, `inProgressTimeoutInMinutes` 1 to 10,080, 1 or 2 retry criteria of 0 to 10 retries,
 * abort criteria with action CANCEL. What the local cloud does not run (documentSource in S3,
 * presigned URLs, rollout rates, scheduling, job templates) is refused rather than ignored.
 */
import { jobIdPattern } from '@fleet/core';
import { AwsError } from '../../aws-endpoint/index.ts';
import { requestFields, type Input } from '../../aws-endpoint/request-fields.ts';
import type { AbortCriteria, RetryCriteria, TargetSelection } from './job-records.ts';

export const maxJobDocumentLength = 32_768;
const maxTargets = 100;

export interface CreateJobInput {
  readonly jobId: string;
  readonly targets: readonly string[];
  readonly document: string;
  readonly description?: string;
  readonly targetSelection: TargetSelection;
  readonly inProgressTimeoutInMinutes?: number;
  readonly retryCriteria?: readonly RetryCriteria[];
  readonly abortCriteria?: readonly AbortCriteria[];
}

const invalid = (message: string) => new AwsError('InvalidRequestException', message, 400);
const fields = requestFields({ invalid, missing: (name) => invalid(`${name} is required`) });

const unsupported = [
  'documentSource',
  'presignedUrlConfig',
  'jobExecutionsRolloutConfig',
  'schedulingConfig',
  'jobTemplateArn',
  'namespaceId',
];

const integerIn = (value: number | undefined, name: string, min: number, max: number): number | undefined => {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw invalid(`${name} must be an integer from ${min} to ${max}; received ${value}`);
  }
  return value;
};

export function readCreateJobInput(jobId: string, body: Input): CreateJobInput {
  if (!jobIdPattern.test(jobId)) throw invalid(`jobId "${jobId}" must match [a-zA-Z0-9_-]{1,64}`);
  for (const name of unsupported) {
    if (body[name] !== undefined && body[name] !== null) throw invalid(`${name} is not supported by the local cloud's IoT Jobs`);
  }
  const targets = fields.stringList(body, 'targets') ?? [];
  if (targets.length < 1 || targets.length > maxTargets) throw invalid(`targets must list 1 to ${maxTargets} thing or thing group ARNs`);
  const document = fields.requiredString(body, 'document');
  if (document.length > maxJobDocumentLength) {
    throw invalid(`The job document is ${document.length} characters long; the maximum is ${maxJobDocumentLength}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw invalid('The job document must be valid JSON');
  }
  // The MQTT API embeds the document as a JSON object (jobs-comm-notifications.html).
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('The job document must be a JSON object');
  const description = fields.string(body, 'description');
  if (description !== undefined && description.length > 2028) throw invalid('description must be at most 2028 characters');
  const targetSelection = fields.string(body, 'targetSelection') ?? 'SNAPSHOT';
  if (targetSelection !== 'SNAPSHOT' && targetSelection !== 'CONTINUOUS') throw invalid(`targetSelection must be SNAPSHOT or CONTINUOUS`);
  const timeout = fields.object(body, 'timeoutConfig');
  const inProgressTimeoutInMinutes = integerIn(
    timeout ? fields.number(timeout, 'inProgressTimeoutInMinutes') : undefined,
    'inProgressTimeoutInMinutes',
    1,
    10_080,
  );
  const retryCriteria = readRetryCriteria(fields.object(body, 'jobExecutionsRetryConfig'));
  const abortCriteria = readAbortCriteria(fields.object(body, 'abortConfig'));
  return {
    jobId,
    targets,
    document,
    ...(description !== undefined ? { description } : {}),
    targetSelection,
    ...(inProgressTimeoutInMinutes !== undefined ? { inProgressTimeoutInMinutes } : {}),
    ...(retryCriteria ? { retryCriteria } : {}),
    ...(abortCriteria ? { abortCriteria } : {}),
  };
}

function readRetryCriteria(config: Input | undefined): RetryCriteria[] | undefined {
  if (!config) return undefined;
  const list = fields.structures(fields.list(config, 'criteriaList'), 'criteriaList');
  if (list.length < 1 || list.length > 2) throw invalid('jobExecutionsRetryConfig.criteriaList must have 1 or 2 criteria');
  return list.map((c) => {
    const failureType = fields.requiredString(c, 'failureType');
    if (failureType !== 'FAILED' && failureType !== 'TIMED_OUT' && failureType !== 'ALL') {
      throw invalid(`failureType must be FAILED, TIMED_OUT or ALL; received ${failureType}`);
    }
    const numberOfRetries = integerIn(fields.requiredNumber(c, 'numberOfRetries'), 'numberOfRetries', 0, 10) as number;
    return { failureType, numberOfRetries };
  });
}

function readAbortCriteria(config: Input | undefined): AbortCriteria[] | undefined {
  if (!config) return undefined;
  const list = fields.structures(fields.list(config, 'criteriaList'), 'criteriaList');
  if (list.length < 1) throw invalid('abortConfig.criteriaList must have at least 1 criterion');
  return list.map((c) => {
    const failureType = fields.requiredString(c, 'failureType');
    if (failureType !== 'FAILED' && failureType !== 'REJECTED' && failureType !== 'TIMED_OUT' && failureType !== 'ALL') {
      throw invalid(`failureType must be FAILED, REJECTED, TIMED_OUT or ALL; received ${failureType}`);
    }
    if (fields.requiredString(c, 'action') !== 'CANCEL') throw invalid('action must be CANCEL');
    const thresholdPercentage = fields.requiredNumber(c, 'thresholdPercentage');
    if (thresholdPercentage < 0 || thresholdPercentage > 100) throw invalid('thresholdPercentage must be from 0 to 100');
    const minNumberOfExecutedThings = integerIn(
      fields.requiredNumber(c, 'minNumberOfExecutedThings'),
      'minNumberOfExecutedThings',
      1,
      2_147_483_647,
    ) as number;
    return { failureType, action: 'CANCEL', thresholdPercentage, minNumberOfExecutedThings };
  });
}
