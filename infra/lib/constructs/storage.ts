/**
 * Diagram group "Data Platform / Storage": the DynamoDB tables (from the shared schemas), the S3
 * bucket, and the ingest queue with its dead-letter queue (the added edge IoT Rules → Data Service).
 * Everything here holds data, so it lives in the stateful stack and is retained on stack deletion.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { QueueDefinition, TableDefinition } from '@fleet/core';
import { bucketLifecycleRules, defaultRetention, telemetryBucket } from '@fleet/core';
import { Construct } from 'constructs';

export interface StorageProps {
  readonly tables: readonly TableDefinition[];
  readonly ingestQueue: QueueDefinition;
  /**
   * What happens to data when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Origins whose pages may upload imports to the bucket with a presigned PUT (and read its
   * answers). The CloudFront domain is only known once deployed; a presigned URL is itself the
   * credential (signed, expiring, one key), so a `*` origin opens nothing a URL holder could not
   * already do with curl: CORS protects cookies, which S3 does not use.
   * @default ['*']
   */
  readonly browserOrigins?: readonly string[];
}

const attributeType = (type: 'S' | 'N') => (type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER);

export class Storage extends Construct {
  /** Tables by the logical id of their shared definition (`fleet-devices`, ...). */
  readonly tables: ReadonlyMap<string, dynamodb.Table>;
  readonly tableDefinitions: readonly TableDefinition[];
  readonly bucket: s3.Bucket;
  /** Receives the S3 server access logs of `bucket`. */
  readonly accessLogsBucket: s3.Bucket;
  readonly ingestQueue: sqs.Queue;
  readonly ingestDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.tableDefinitions = props.tables;

    const tables = new Map<string, dynamodb.Table>();
    for (const def of props.tables) {
      // `Table`, not `TableV2`: TableV2 synthesizes AWS::DynamoDB::GlobalTable, whose PITR cdk-nag cannot check.
      const table = new dynamodb.Table(this, constructIdOf(def.id), {
        partitionKey: { name: def.partitionKey.name, type: attributeType(def.partitionKey.type) },
        ...(def.sortKey ? { sortKey: { name: def.sortKey.name, type: attributeType(def.sortKey.type) } } : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        ...(def.timeToLiveAttribute ? { timeToLiveAttribute: def.timeToLiveAttribute } : {}),
        deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
        removalPolicy,
      });
      for (const gsi of def.globalSecondaryIndexes ?? []) {
        table.addGlobalSecondaryIndex({
          indexName: gsi.indexName,
          partitionKey: { name: gsi.partitionKey.name, type: attributeType(gsi.partitionKey.type) },
          ...(gsi.sortKey ? { sortKey: { name: gsi.sortKey.name, type: attributeType(gsi.sortKey.type) } } : {}),
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      tables.set(def.id, table);
    }
    this.tables = tables;

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'This bucket is the access-log destination; logging it into itself would loop.',
    });

    const { prefixes } = telemetryBucket;
    this.bucket = new s3.Bucket(this, 'TelemetryBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'telemetry-bucket/',
      // The web app PUTs an import's file with its presigned link (data jobs); GET serves export downloads.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET],
          allowedOrigins: [...(props.browserOrigins ?? ['*'])],
          allowedHeaders: ['content-type'],
          exposedHeaders: ['ETag'],
          maxAge: 3600,
        },
      ],
      lifecycleRules: [
        {
          id: 'archive-tiering',
          prefix: prefixes.archive,
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) },
          ],
        },
        // The archive's retention and the week exports and import uploads are kept: the shared rules, which the
        // local cloud's launcher applies too. On this versioned bucket an expiration leaves a delete marker;
        // the noncurrent version goes by 'old-versions-expire'.
        ...bucketLifecycleRules(defaultRetention.archiveDays, prefixes).map((rule) => ({
          id: rule.id,
          prefix: rule.prefix,
          expiration: Duration.days(rule.expirationDays),
        })),
        {
          id: 'old-versions-expire',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy,
    });

    const q = props.ingestQueue;
    this.ingestDeadLetterQueue = new sqs.Queue(this, constructIdOf(q.deadLetter.id), {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(q.deadLetter.retentionSeconds),
      removalPolicy,
    });
    this.ingestQueue = new sqs.Queue(this, constructIdOf(q.id), {
      // SSE-SQS: the IoT rule's SQS action cannot use the AWS-managed KMS key (its policy is not editable).
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(q.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(q.retentionSeconds),
      deadLetterQueue: { queue: this.ingestDeadLetterQueue, maxReceiveCount: q.deadLetter.maxReceiveCount },
      removalPolicy,
    });
  }

  /** The table created from a shared definition id; throws for an unknown id. */
  table(id: string): dynamodb.Table {
    const table = this.tables.get(id);
    if (!table) throw new Error(`Storage: no table "${id}", expected one of ${[...this.tables.keys()].join(', ')}`);
    return table;
  }
}

/** `fleet-ingest-dlq` → `FleetIngestDlq`: construct ids stay readable in logical ids. */
export function constructIdOf(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
