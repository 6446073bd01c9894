/**
 * Which reserved (`$...`) topics a client may publish to. AWS IoT reserves `$aws/...` for its own
 * services; a device publishes only their request topics, under its `iot:Publish` policy
 * ("Reserved topics" of the AWS IoT guide):
 * - Device Shadow: `$aws/things/<thing>/shadow[/name/<shadow>]/{get,update,delete}`;
 * - Jobs: `$aws/things/<thing>/jobs/get`, `.../jobs/start-next`, `.../jobs/<jobId>/get`,
 *   `.../jobs/<jobId>/update`.
 * The response topics (`/accepted`, `/rejected`, `/delta`, `/documents`, `notify`, ...) and every
 * other reserved topic (lifecycle events, `$SYS`) are published by the service only.
 */
import { parseShadowTopic } from '@fleet/core';

const jobsRequest = /^\$aws\/things\/[a-zA-Z0-9:_-]{1,128}\/jobs\/(get|start-next|[a-zA-Z0-9_-]{1,64}\/(get|update))$/;

export function clientMayPublishReserved(topic: string): boolean {
  const shadow = parseShadowTopic(topic);
  if (shadow) return shadow.suffix === undefined;
  return jobsRequest.test(topic);
}
