/**
 * What the local AWS endpoint knows about one request: which service it is for (the SigV4
 * credential scope names the signing service, as on AWS) and, for JSON protocols, the operation.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { publicQueryActions, publicTargetPrefixes } from '../iam/public-operations.ts';

export interface AwsRequest {
  readonly method: string;
  /** Path exactly as sent, without the query string: neither dot segments resolved nor percent-decoded. */
  readonly path: string;
  readonly rawUrl: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** SigV4 signing name: dynamodb, s3, sqs, cognito-idp, cognito-identity, monitoring, logs, iot, iotdata. */
  readonly service: string;
  /** Operation from `X-Amz-Target` (`AmazonSQS.SendMessage` → `SendMessage`), for JSON protocols. */
  readonly operation?: string;
  /** Access key of the signature, when signed. */
  readonly accessKeyId?: string;
}

export interface AwsResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

/** One stand-in: answers every request whose signing service it registered for. */
export type AwsServiceHandler = (req: AwsRequest) => Promise<AwsResponse>;

const credentialPattern = /Credential=([^/,\s]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;

/** Reads the signing service and access key from the Authorization header or a presigned query. */
export function identifyService(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): { service?: string; operation?: string; accessKeyId?: string } {
  const target = headers['x-amz-target'];
  const [targetPrefix, operation] = typeof target === 'string' ? splitTarget(target) : [undefined, undefined];
  const authorization = headers.authorization;
  const scope =
    typeof authorization === 'string'
      ? credentialPattern.exec(authorization)
      : credentialPattern.exec(`Credential=${query.get('X-Amz-Credential') ?? ''}`);
  if (scope) return { service: scope[2], operation, accessKeyId: scope[1] };
  // Unsigned operations (Cognito sign-in, identity credentials) are recognised by their target prefix.
  if (targetPrefix !== undefined && Object.hasOwn(publicTargetPrefixes, targetPrefix)) {
    return { service: publicTargetPrefixes[targetPrefix], operation };
  }
  // An unsigned Query-protocol link AWS serves to anyone (SNS's SubscribeURL and UnsubscribeURL).
  const action = query.get('Action');
  if (target === undefined && action !== null && Object.hasOwn(publicQueryActions, action)) {
    return { service: publicQueryActions[action], operation: action };
  }
  return { operation };
}

function splitTarget(target: string): [string, string] {
  const dot = target.lastIndexOf('.');
  return dot < 0 ? [target, ''] : [target.slice(0, dot), target.slice(dot + 1)];
}

/** `decodeURIComponent`, or the text as it is when its percent escapes are malformed. */
export function decodeUriLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
