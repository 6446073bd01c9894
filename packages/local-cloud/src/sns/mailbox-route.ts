/**
 * `GET /_fleet/mailbox` on the AWS port: the local mailbox, where `email` and `email-json`
 * subscriptions receive their messages since nothing sends mail locally. JSON
 * `{ "messages": [{ id, to, subject, body, receivedAt, topicArn, kind }] }`, newest first,
 * `?to=<address>` to filter (case-insensitive), `?limit=` (default 100, at most 1000). The AWS port
 * serves it behind the same Host and Origin checks as `/_fleet/status`.
 */
import type { AwsRequest, AwsResponse } from '../aws-endpoint/aws-request.ts';
import type { SnsStore } from './sns-store.ts';

export const mailboxPath = '/_fleet/mailbox';

const json = (status: number, body: unknown): AwsResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

export function mailboxRoute(store: SnsStore): (req: AwsRequest) => Promise<AwsResponse> {
  return async (req) => {
    if (req.path !== mailboxPath && req.path !== `${mailboxPath}/`) return json(404, { message: `No such path ${req.path}` });
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return json(405, { message: `The mailbox is read with GET; received ${req.method}` });
    const limitText = req.query.get('limit');
    const limit = limitText === null ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      return json(400, { message: `limit must be an integer from 1 to 1000; received "${limitText}"` });
    const to = req.query.get('to') ?? undefined;
    return json(200, { messages: await store.mailbox({ ...(to !== undefined ? { to } : {}), limit }) });
  };
}
