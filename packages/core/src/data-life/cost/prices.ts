/**
 * Every AWS price the cost model (model.ts) uses, in one place: us-east-1, on-demand, the first
 * (most expensive) volume tier, without free tiers. Each carries the pricing page it was read from
 * and when; `npm run cost` and `GET /data-usage` print `pricesAsOf`. Update a figure here and both
 * follow. Figures marked NOTES come from /work/shared/NOTES.md (checked before the project started).
 *
 * What the CDK app deploys and the model leaves out, as too small to change a total: the SNS topic's
 * AWS-managed KMS key (`alias/aws/sns`: no monthly fee, $0.03 per 10,000 requests, one per alarm
 * notification), the VPC flow log (REJECT records only), the ALB, API Gateway and S3 access logs, the
 * dead-letter queue, and the Route 53 hosted zone ($0.50 a month) when a domain is given. There is no
 * NAT gateway and no interface endpoint; the S3 and DynamoDB gateway endpoints are free.
 */

/** One price: USD per `unit`, where it was read, when. */
export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  readonly readOn: string;
}

/** The date the list below was last checked against the pricing pages. */
export const pricesAsOf = '2026-12-02';

const page = {
  iot: 'https://aws.amazon.com/iot-core/pricing/',
  sqs: 'https://aws.amazon.com/sqs/pricing/',
  dynamodb: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  fargate: 'https://aws.amazon.com/fargate/pricing/',
  elb: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  cloudfront: 'https://aws.amazon.com/cloudfront/pricing/',
  apiGateway: 'https://aws.amazon.com/api-gateway/pricing/',
  cognito: 'https://aws.amazon.com/cognito/pricing/',
  vpc: 'https://aws.amazon.com/vpc/pricing/',
} as const;

const price = (usd: number, unit: string, source: string): Price => ({ usd, unit, source, readOn: pricesAsOf });

export const prices = {
  /** NOTES: $1.00 per million messages, metered in 5 KB increments; Basic Ingest topics are not charged. */
  iotMessage: price(1.0 / 1e6, 'message (per 5 KB)', page.iot),
  iotMessageMeterBytes: 5 * 1024,
  /** Messages published to a Basic Ingest topic (`$aws/rules/<rule>/…`) go straight to the rule: no messaging charge. */
  iotBasicIngestMessage: price(0, 'message', 'https://docs.aws.amazon.com/iot/latest/developerguide/iot-basic-ingest.html'),
  /** $0.08 per million connection-minutes. */
  iotConnectionMinute: price(0.08 / 1e6, 'connection-minute', page.iot),
  /** NOTES: $0.15 per million rules triggered. */
  iotRuleTriggered: price(0.15 / 1e6, 'rule triggered', page.iot),
  /** NOTES: $0.15 per million actions executed. */
  iotActionExecuted: price(0.15 / 1e6, 'action executed', page.iot),

  /** Standard queue: $0.40 per million requests; each 64 KB chunk of a request is one request. */
  sqsRequest: price(0.4 / 1e6, 'request (per 64 KB)', page.sqs),
  sqsRequestMeterBytes: 64 * 1024,

  /** NOTES: on-demand $0.625 per million write request units (1 per KB written). */
  dynamoWriteUnit: price(0.625 / 1e6, 'write request unit', page.dynamodb),
  /** NOTES: on-demand $0.125 per million read request units (1 per 4 KB strongly consistent, half eventually). */
  dynamoReadUnit: price(0.125 / 1e6, 'read request unit', page.dynamodb),
  dynamoStorageGbMonth: price(0.25, 'GB-month', page.dynamodb),
  /** The tables have point-in-time recovery on (infra/lib/constructs/storage.ts): billed on the table size. */
  dynamoPitrGbMonth: price(0.2, 'GB-month', page.dynamodb),
  /** DynamoDB bills 100 bytes of overhead per item on top of its attributes. */
  dynamoItemOverheadBytes: 100,

  /** NOTES: $0.005 per 1,000 PUT, COPY, POST, LIST requests. */
  s3Put: price(0.005 / 1000, 'PUT/LIST request', page.s3),
  s3Get: price(0.0004 / 1000, 'GET request', page.s3),
  s3StandardGbMonth: price(0.023, 'GB-month (Standard)', page.s3),

  /** NOTES: $0.30 per custom metric-month (each dimension combination is a metric). */
  cloudwatchMetricMonth: price(0.3, 'metric-month', page.cloudwatch),
  /** EMF lines are log events: billed as ingested logs, the metrics they define as custom metrics. */
  cloudwatchLogIngestGb: price(0.5, 'GB ingested', page.cloudwatch),
  cloudwatchLogStorageGbMonth: price(0.03, 'GB-month archived', page.cloudwatch),
  cloudwatchAlarmMonth: price(0.1, 'standard alarm-month', page.cloudwatch),

  /** Linux/x86 (the task definitions' runtime platform). */
  fargateVcpuHour: price(0.04048, 'vCPU-hour', page.fargate),
  fargateGbHour: price(0.004445, 'GB-hour', page.fargate),

  albHour: price(0.0225, 'ALB-hour', page.elb),
  /** One LCU: 25 new connections/s, 3,000 active connections, 1 GB/h processed or 1,000 rule evaluations/s. */
  albLcuHour: price(0.008, 'LCU-hour', page.elb),

  /** HTTPS requests, North America: $0.0100 per 10,000. */
  cloudfrontRequest: price(0.01 / 10_000, 'HTTPS request', page.cloudfront),
  /** HTTP API: $1.00 per million requests (first 300 million), metered per 512 KB. */
  apiGatewayHttpRequest: price(1.0 / 1e6, 'request (per 512 KB)', page.apiGateway),

  /** Essentials plan (the user pool's default feature plan), per monthly active user above the free 10,000. */
  cognitoMau: price(0.015, 'monthly active user', page.cognito),
  cognitoFreeMaus: 10_000,

  /**
   * Public IPv4 addresses: the Fargate tasks run in public subnets with `assignPublicIp` (no NAT
   * gateway, infra/lib/constructs/network.ts), and each internet-facing address is billed. The S3
   * and DynamoDB gateway endpoints the VPC uses are free.
   */
  publicIpv4Hour: price(0.005, 'public IPv4 address-hour', page.vpc),
} as const;

export type Prices = typeof prices;

/** Hours AWS bills in a month (365 × 24 / 12). */
export const hoursPerMonth = 730;
export const secondsPerMonth = hoursPerMonth * 3600;
