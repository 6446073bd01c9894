/**
 * What an HTTPS publish request asks, pure: `POST /topics/<url-encoded topic>?qos=0|1`
 * (https://docs.aws.amazon.com/iot/latest/developerguide/http.html). QoS 0 when absent, as AWS;
 * the topic is a topic name (no MQTT wildcards), at most 256 bytes of UTF-8 like an MQTT topic
 * on AWS IoT.
 */
import type { IotHttpsPublishStatus } from '@fleet/core';

/** AWS IoT: a topic name is at most 256 bytes. */
export const maxTopicBytes = 256;

export type PublishRequest =
  | { readonly ok: true; readonly topic: string; readonly qos: 0 | 1 }
  | { readonly ok: false; readonly status: IotHttpsPublishStatus; readonly reason: string };

export function parsePublishRequest(method: string | undefined, rawUrl: string | undefined): PublishRequest {
  let url: URL;
  try {
    url = new URL(rawUrl ?? '/', 'https://iot.invalid');
  } catch {
    return { ok: false, status: 400, reason: `the request target ${JSON.stringify(rawUrl)} is not a URL path` };
  }
  const match = /^\/topics\/(.+)$/.exec(url.pathname);
  if (!match?.[1]) return { ok: false, status: 404, reason: `no route ${url.pathname}: publish with POST /topics/<topic>` };
  if (method !== 'POST') return { ok: false, status: 405, reason: `${method ?? '?'} is not allowed: publish with POST` };
  let topic: string;
  try {
    topic = decodeURIComponent(match[1]);
  } catch {
    return { ok: false, status: 400, reason: `the topic ${match[1]} is not valid URL encoding` };
  }
  if (topic.includes('+') || topic.includes('#'))
    return { ok: false, status: 400, reason: `"${topic}" has an MQTT wildcard: publish to a topic name` };
  if (Buffer.byteLength(topic) > maxTopicBytes)
    return { ok: false, status: 400, reason: `the topic is longer than ${maxTopicBytes} bytes` };
  const qosText = url.searchParams.get('qos');
  if (qosText !== null && qosText !== '0' && qosText !== '1') {
    return { ok: false, status: 400, reason: `qos must be 0 or 1, received "${qosText}"` };
  }
  return { ok: true, topic, qos: qosText === '1' ? 1 : 0 };
}
