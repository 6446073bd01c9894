/**
 * The AWS REST-JSON protocol (restJson1) as the IoT control and data planes use it: the operation
 * is chosen by HTTP method and path template (`/things/{thingName}`), inputs come from path labels,
 * query string, headers and a JSON body; errors answer `x-amzn-errortype` with `{ message }`, which
 * the SDK maps to exception classes.
 */
import type { AwsRequest, AwsResponse, AwsServiceHandler } from '../../aws-endpoint/index.ts';
import { AwsError, jsonError, requestFields } from '../../aws-endpoint/index.ts';

export interface RestRequest {
  readonly labels: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: AwsRequest['headers'];
  readonly body: Buffer;
  /** The JSON body, `{}` when empty. */
  json(): Record<string, unknown>;
}

/** The answer's body, or a promise of it. */
export type RestOperation = (request: RestRequest) => unknown;

export interface RestRoute {
  readonly method: string;
  /** Path template with `{label}` segments, as in the Smithy `@http` trait. */
  readonly path: string;
  readonly operation: RestOperation;
}

export function restJsonHandler(options: {
  service: string;
  routes: readonly RestRoute[];
  /** Awaited after each operation, before its answer (success or error): what it changed is durable then. */
  durable?: () => Promise<void>;
}): AwsServiceHandler {
  const compiled = options.routes.map((route) => ({ ...route, segments: route.path.split('/').filter(Boolean) }));
  const { durable } = options;
  if (durable === undefined) return answer;
  return async (req): Promise<AwsResponse> => {
    const response = await answer(req);
    try {
      await durable();
    } catch (err) {
      return jsonError(err, 'application/json');
    }
    return response;
  };

  async function answer(req: AwsRequest): Promise<AwsResponse> {
    try {
      const segments = req.path.split('/').filter(Boolean);
      for (const route of compiled) {
        if (route.method !== req.method || !lengthFits(route.segments, segments)) continue;
        const labels = matchSegments(route.segments, segments);
        if (!labels) continue;
        const output = await route.operation({
          labels,
          query: req.query,
          headers: req.headers,
          body: req.body,
          json: () => parseBody(req.body),
        });
        return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(output ?? {}) };
      }
      throw new AwsError(
        'UnknownOperationException',
        `The local cloud does not implement ${options.service} ${req.method} ${req.path}; see the README for the supported operations`,
        404,
      );
    } catch (err) {
      return jsonError(err, 'application/json');
    }
  }
}

/** A greedy label (`{arn+}`, last segment) takes one or more segments; every other segment one. */
const isGreedy = (segment: string | undefined) => segment !== undefined && segment.endsWith('+}');

function lengthFits(template: readonly string[], actual: readonly string[]): boolean {
  return isGreedy(template[template.length - 1]) ? actual.length >= template.length : actual.length === template.length;
}

function matchSegments(template: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const expected = template[i] as string;
    const value = actual[i] as string;
    if (isGreedy(expected) && i === template.length - 1) {
      try {
        labels[expected.slice(1, -2)] = actual.slice(i).map(decodeURIComponent).join('/');
      } catch {
        return undefined;
      }
    } else if (expected.startsWith('{') && expected.endsWith('}')) {
      try {
        labels[expected.slice(1, -1)] = decodeURIComponent(value);
      } catch {
        return undefined;
      }
    } else if (expected !== value) return undefined;
  }
  return labels;
}

function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AwsError('InvalidRequestException', 'Request body is not a JSON object', 400);
}

/** Offset pagination with an opaque token, as AWS list operations page (`nextToken` / `marker`). */
export function paginate<T>(
  items: readonly T[],
  token: string | null,
  pageSize: number | undefined,
  maxPageSize: number,
): { page: T[]; next?: string } {
  const size = pageSize ?? maxPageSize;
  if (!Number.isInteger(size) || size < 1 || size > maxPageSize) {
    throw new AwsError('InvalidRequestException', `Page size ${size} must be between 1 and ${maxPageSize}`, 400);
  }
  let offset = 0;
  if (token) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw new AwsError('InvalidRequestException', 'The pagination token is invalid', 400);
    offset = decoded;
  }
  const page = items.slice(offset, offset + size);
  const nextOffset = offset + page.length;
  return nextOffset < items.length ? { page, next: Buffer.from(String(nextOffset)).toString('base64url') } : { page };
}

/** Reads an integer query parameter, undefined when absent. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new AwsError('InvalidRequestException', `${name} must be an integer, received "${raw}"`, 400);
  return value;
}

/** A required string input (label, query parameter, body field or header); InvalidRequestException when absent or empty. */
const invalidRequest = (message: string) => new AwsError('InvalidRequestException', message, 400);
const fields = requestFields({ invalid: invalidRequest, missing: (name) => invalidRequest(`${name} is required`) });

/** A body member, query parameter or header alike: absent or empty is missing, another type invalid. */
export function requiredString(value: unknown, name: string): string {
  return fields.requiredString({ [name]: value }, name);
}

/** Epoch seconds: restJson1's default timestamp format. */
export const epochSeconds = (ms: number) => ms / 1000;

export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  return raw === null ? undefined : raw === 'true';
}
