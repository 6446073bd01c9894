/**
 * Deployment settings of the Fleet CDK app. `bin/app.ts` is the only place that reads CDK context
 * or the environment; it hands the raw values to `parseFleetConfig`, which validates them once and
 * reports every problem together.
 */
import { readFlushSpacing, type DataServiceTuning } from '@fleet/core';
import { Token } from 'aws-cdk-lib';

/** A custom domain served by CloudFront and answered by Route 53. */
export interface CustomDomain {
  /** Fully qualified name users type, e.g. `fleet.example.com`. */
  readonly domainName: string;
  /** ACM certificate for `domainName`; CloudFront only accepts certificates from us-east-1. */
  readonly certificateArn: string;
  /**
   * Existing public hosted zone that holds `domainName` (imported by id and name, no lookup).
   * @default - a new public hosted zone named `domainName` is created; delegate to its name servers.
   */
  readonly hostedZone?: { readonly id: string; readonly name: string };
}

export interface FleetConfig {
  /**
   * Prefix of the stack names (`<prefix>-stateful`, `<prefix>-platform`).
   * @default 'fleet'
   */
  readonly stackPrefix: string;
  /**
   * @default - no Route 53 records; the product answers on the CloudFront domain (`xxxx.cloudfront.net`).
   */
  readonly domain?: CustomDomain;
  /**
   * Host name of the account's IoT data endpoint (`aws iot describe-endpoint --endpoint-type iot:Data-ATS`).
   * @default - read at deploy time by a custom resource calling iot:DescribeEndpoint.
   */
  readonly iotEndpoint?: string;
  /**
   * What the deployment chooses for the Data Service: `ingestFlushSpacingMs`, fresh data or
   * DynamoDB write units (`INGEST_FLUSH_SPACING_MS`, the same as `npm start -- --ingest-flush-spacing`).
   * @default - the service's defaults (250 ms)
   */
  readonly dataServiceTuning?: DataServiceTuning;
}

export type ConfigResult =
  { readonly ok: true; readonly config: FleetConfig } | { readonly ok: false; readonly problems: readonly string[] };

const certificateArnPattern = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]+$/;
const domainPattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * Validates raw context values (strings or undefined; `ingestFlushSpacingMs` may be a number in
 * cdk.json). Expected keys: `stackPrefix`, `domainName`, `certificateArn`, `hostedZoneId`,
 * `hostedZoneName`, `iotEndpoint`, `ingestFlushSpacingMs`.
 */
export function parseFleetConfig(read: (key: string) => unknown): ConfigResult {
  const problems: string[] = [];
  const str = (key: string): string | undefined => {
    const value = read(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') {
      problems.push(`context "${key}" must be a string, received ${JSON.stringify(value)}`);
      return undefined;
    }
    return value.trim();
  };
  const stackPrefix = str('stackPrefix') ?? 'fleet';
  if (!/^[A-Za-z][A-Za-z0-9-]{0,40}$/.test(stackPrefix)) {
    problems.push(`context "stackPrefix" must match [A-Za-z][A-Za-z0-9-]{0,40}, received "${stackPrefix}"`);
  }
  const domainName = str('domainName')?.toLowerCase();
  const certificateArn = str('certificateArn');
  const hostedZoneId = str('hostedZoneId');
  const hostedZoneName = str('hostedZoneName')?.toLowerCase();
  const iotEndpoint = str('iotEndpoint');

  let domain: CustomDomain | undefined;
  if (domainName === undefined) {
    if (certificateArn || hostedZoneId || hostedZoneName) {
      problems.push('context "certificateArn"/"hostedZoneId"/"hostedZoneName" given without "domainName"; expected all or none');
    }
  } else {
    if (!domainPattern.test(domainName)) problems.push(`context "domainName" is not a DNS name: "${domainName}"`);
    if (certificateArn === undefined) {
      problems.push(`context "domainName" (${domainName}) needs "certificateArn": an ACM certificate in us-east-1 covering it`);
    } else if (!Token.isUnresolved(certificateArn)) {
      const match = certificateArnPattern.exec(certificateArn);
      if (!match) problems.push(`context "certificateArn" is not an ACM certificate ARN: "${certificateArn}"`);
      else if (match[1] !== 'us-east-1') {
        problems.push(`context "certificateArn" is in ${match[1]}; CloudFront only accepts certificates from us-east-1`);
      }
    }
    if ((hostedZoneId === undefined) !== (hostedZoneName === undefined)) {
      problems.push('contexts "hostedZoneId" and "hostedZoneName" go together (import an existing zone without a lookup)');
    }
    if (hostedZoneName !== undefined && domainName !== hostedZoneName && !domainName.endsWith(`.${hostedZoneName}`)) {
      problems.push(`"domainName" ${domainName} is not inside hosted zone "${hostedZoneName}"`);
    }
    if (certificateArn !== undefined) {
      domain = {
        domainName,
        certificateArn,
        ...(hostedZoneId !== undefined && hostedZoneName !== undefined ? { hostedZone: { id: hostedZoneId, name: hostedZoneName } } : {}),
      };
    }
  }
  if (iotEndpoint !== undefined && !/^[a-z0-9]+(-ats)?\.iot\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(iotEndpoint)) {
    problems.push(
      `context "iotEndpoint" must be an IoT data endpoint host like "xxxx-ats.iot.us-east-1.amazonaws.com", received "${iotEndpoint}"`,
    );
  }
  const spacingKey = 'ingestFlushSpacingMs';
  const spacingRaw = read(spacingKey);
  const spacing = readFlushSpacing(`context "${spacingKey}"`, typeof spacingRaw === 'number' ? String(spacingRaw) : str(spacingKey));
  if (spacing.problem) problems.push(spacing.problem);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      stackPrefix,
      ...(domain ? { domain } : {}),
      ...(iotEndpoint !== undefined ? { iotEndpoint } : {}),
      ...(spacing.value !== undefined ? { dataServiceTuning: { flushSpacingMs: spacing.value } } : {}),
    },
  };
}
