/**
 * A service task's environment as the launcher runs it: the task definition's (`serviceEnvironment`,
 * the same on ECS) plus what ECS and a VPC endpoint give a task on AWS (its role's credentials,
 * where AWS answers) and the launcher's own flags (port, listen address, log level; the Data
 * Service's tuning goes into the task definition's part, as the CDK app's context does). Each added
 * variable is a row of the service's configuration schema (PORT replaces the container port), except
 * the credentials, which the AWS SDK reads by itself.
 */
import {
  serviceEnvironment,
  type DataServiceTuning,
  type ResourceReferences,
  type ServiceEnvironment,
  type ServiceName,
} from '@fleet/core';
import type { KeyPair } from '../iam/index.ts';

export interface LocalTask {
  readonly service: ServiceName;
  readonly references: ResourceReferences;
  /** The service's port of `--service-ports`. */
  readonly port: number;
  /** The launcher's listen address (`--host`). */
  readonly host: string;
  readonly logLevel: string;
  /** The local cloud's AWS port. */
  readonly awsEndpoint: string;
  /** The task's own key pair (`credentials.json`, `tasks.<service>`): its task role. */
  readonly credentials: KeyPair;
  /** `--ingest-flush-spacing`, for the Data Service; the CDK app writes the same from its context. */
  readonly dataServiceTuning?: DataServiceTuning;
}

/** The SDK's credential variables: https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html */
export const sdkCredentialVariables = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

export function localTaskEnvironment(task: LocalTask): ServiceEnvironment {
  return {
    ...serviceEnvironment(task.service, task.references, task.dataServiceTuning),
    PORT: String(task.port),
    // Loopback unless --host says otherwise, never every interface by itself.
    HOST: task.host,
    // What the task role and a VPC endpoint give a task on AWS: its role's credentials and where AWS is.
    AWS_ENDPOINT_URL: task.awsEndpoint,
    AWS_ACCESS_KEY_ID: task.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: task.credentials.secretAccessKey,
    LOG_LEVEL: task.logLevel,
    // Only the local cloud has a mailbox (the SNS stand-in's e-mail); on AWS mail goes to real inboxes.
    ...(task.service === 'api' ? { LOCAL_MAILBOX_URL: `${task.awsEndpoint}/_fleet/mailbox` } : {}),
  };
}
