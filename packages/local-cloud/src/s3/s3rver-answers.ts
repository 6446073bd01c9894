/**
 * s3rver answers some requests outside S3's error shape: koa's plain-text `Not Found` / `Method
 * Not Allowed` for a route it does not have (e.g. `PUT /`), and `501 NotImplemented` for features
 * it lacks. Those become S3 XML errors (the SDK raises the code as its exception name) with a 4xx
 * status: a request the local cloud cannot serve is the caller's to change, not a server failure.
 */
import type { AwsRequest, AwsResponse } from '../aws-endpoint/index.ts';
import { s3Error } from '../aws-endpoint/service-errors.ts';

const plainCodes: Readonly<Record<number, string>> = {
  400: 'InvalidRequest',
  403: 'AccessDenied',
  404: 'MethodNotAllowed',
  405: 'MethodNotAllowed',
  411: 'MissingContentLength',
  413: 'EntityTooLarge',
  416: 'InvalidRange',
};

export function normalizeS3rverAnswer(response: AwsResponse, req: AwsRequest): AwsResponse {
  if (response.status < 400) return response;
  const text = response.body === undefined ? '' : response.body.toString();
  const xmlError = /<Error>[\s\S]*<Code>/.test(text);
  if (response.status === 501) {
    const message =
      /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? 'A parameter you provided implies functionality that is not implemented';
    return s3Error(
      400,
      'NotImplemented',
      `${message} (the local cloud's S3, s3rver, does not implement ${req.method} ${req.path})`,
      req.path,
    );
  }
  if (xmlError || req.method === 'HEAD') return response;
  const code = plainCodes[response.status] ?? 'InvalidRequest';
  const status = response.status >= 500 ? 400 : response.status === 404 ? 405 : response.status;
  return s3Error(status, code, `The local cloud's S3 (s3rver) has no operation for ${req.method} ${req.path}.`, req.path);
}
