/**
 * Which reserved (`$...`) topics a client may publish to. AWS IoT reserves `$aws/...` for its own
 * services; a device publishes only their request topics, under its `iot:Publish` policy
 * ("Reserved topics" of the AWS IoT guide):
 * - Device Shadow: `$aws/things/<thing>/shadow[/name/<shadow>]/{get,update,delete}`;
 * - Jobs: `$aws/things/<thing>/jobs/get`, `.../jobs/start-next`, `.../jobs/<jobId|$next>/get`,
 *   `.../jobs/<jobId>/update`, and any other topic of a thing's jobs namespace that is not a
 *   response: AWS answers those with InvalidTopic ("a topic in the AWS IoT Jobs namespace that
 *   does not map to any API") rather than closing the connection.
 * - Fleet provisioning: `$aws/certificates/create/json`, `$aws/certificates/create-from-csr/json`,
 *   `$aws/provisioning-templates/<name>/provision/json` (the `json` payload format only).
 * - Basic Ingest: `$aws/rules/<ruleName>/<topic>`, straight to one rule; no subscriber receives it
 *   (handlers/forward.ts), as "Your devices and rules can't subscribe to Basic Ingest reserved topics"
 *   (https://docs.aws.amazon.com/iot/latest/developerguide/iot-basic-ingest.html).
 * The response topics (`/accepted`, `/rejected`, `/delta`, `/documents`, `notify`, ...) and every
 * other reserved topic (lifecycle events, `$SYS`) are published by the service only.
 */
import { parseBasicIngestTopic, parseJobsTopic, parseProvisioningTopic, parseShadowTopic } from '@fleet/core';

const thingName = /^[a-zA-Z0-9:_-]{1,128}$/;
/** True for a topic of the Basic Ingest namespace: a message there goes to one rule, never to subscribers. */
export function isBasicIngestTopic(topic: string): boolean {
  return topic.startsWith('$aws/rules/');
}

export function clientMayPublishReserved(topic: string): boolean {
  if (isBasicIngestTopic(topic)) return parseBasicIngestTopic(topic) !== undefined;
  if (parseProvisioningTopic(topic)?.kind === 'request') return true;
  const shadow = parseShadowTopic(topic);
  if (shadow) return shadow.suffix === undefined;
  const jobs = parseJobsTopic(topic);
  return (jobs?.kind === 'request' || jobs?.kind === 'invalid') && thingName.test(jobs.thingName);
}
