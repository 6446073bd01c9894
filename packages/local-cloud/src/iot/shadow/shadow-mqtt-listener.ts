/**
 * The Device Shadow service's MQTT side: a broker message listener answering the request topics
 * (`$aws/things/<thing>/shadow[/name/<shadow>]/{get,update,delete}`) on their response topics, as
 * "Device Shadow MQTT topics" describes. Requests come from devices (authorized by `iot:Publish`
 * in authorize-publish.ts) and from the data plane's Publish, as on AWS.
 *
 * A client's PUBACK waits for this listener (publish-gate.ts), so an acknowledged update is
 * stored. When the store fails, a QoS 1 request is answered `{ durable: false }`: no PUBACK, the
 * connection closes and the device sends it again; a QoS 0 request, never retransmitted, gets a
 * 500 on its `/rejected` topic instead.
 */
import { parseShadowTopic, shadowErrorMessages, shadowLimits, shadowTopic, type ShadowTopicParts } from '@fleet/core';
import type { Logger } from 'pino';
import type { BrokerMessage, MessageListener } from '../broker/message-listeners.ts';
import type { MessageOutcome } from '../broker/publish-gate.ts';
import { isRejection, parseTokenRequest, parseUpdateRequest, type ShadowRejection } from './shadow-request.ts';
import type { ShadowService } from './shadow-service.ts';

export interface ShadowListenerDeps {
  readonly service: ShadowService;
  /** Publishes as the service (the broker's `publish`), at QoS 1. */
  readonly publish: (topic: string, payload: string) => Promise<void>;
  readonly now?: () => number;
  readonly log?: Logger;
}

export function createShadowMessageListener(deps: ShadowListenerDeps): MessageListener {
  const { service, log } = deps;
  const now = deps.now ?? Date.now;
  /** Requests being processed per client id ("more than 10 in-flight requests on a single connection" → 429). */
  const inFlight = new Map<string, number>();

  async function answer(parts: ShadowTopicParts, suffix: 'accepted' | 'rejected', document: unknown): Promise<void> {
    try {
      await deps.publish(shadowTopic(parts.thingName, parts.shadowName, parts.operation, suffix), JSON.stringify(document));
    } catch (err) {
      log?.error({ err, thingName: parts.thingName, operation: parts.operation }, 'shadow: answer could not be published');
    }
  }

  const rejected = (parts: ShadowTopicParts, rejection: ShadowRejection) =>
    answer(parts, 'rejected', { ...rejection, timestamp: Math.floor(now() / 1000) });

  /** Runs one request; `/update/accepted` and `/delete/accepted` are published by the service. */
  async function handle(parts: ShadowTopicParts, payload: Buffer): Promise<void> {
    const { thingName, shadowName } = parts;
    if (parts.operation === 'update') {
      const request = parseUpdateRequest(payload);
      const outcome = isRejection(request) ? request : await service.update(thingName, shadowName, request);
      if (isRejection(outcome)) await rejected(parts, outcome);
      return;
    }
    const token = parseTokenRequest(payload);
    if (isRejection(token)) return rejected(parts, token);
    if (parts.operation === 'get') {
      const document = await service.get(thingName, shadowName, token.clientToken);
      return isRejection(document) ? rejected(parts, document) : answer(parts, 'accepted', document);
    }
    const outcome = await service.delete(thingName, shadowName, token.clientToken);
    if (isRejection(outcome)) await rejected(parts, outcome);
  }

  return async (message: BrokerMessage): Promise<MessageOutcome | undefined> => {
    const parts = parseShadowTopic(message.topic);
    // Response topics are the service's own publishes (or refused for clients): nothing to answer.
    if (parts === undefined || parts.suffix !== undefined) return undefined;
    const connection = message.clientId;
    const count = inFlight.get(connection) ?? 0;
    if (connection !== '' && count >= shadowLimits.maxInFlightPerConnection) {
      await rejected(parts, { code: 429, message: shadowErrorMessages.tooManyRequests });
      return undefined;
    }
    inFlight.set(connection, count + 1);
    try {
      await handle(parts, message.payload);
      return undefined;
    } catch (err) {
      log?.error({ err, topic: message.topic }, 'shadow: request failed');
      if (message.qos === 0) await rejected(parts, { code: 500, message: shadowErrorMessages.internal });
      return { durable: false, reason: `shadow request failed: ${err instanceof Error ? err.message : String(err)}` };
    } finally {
      const left = (inFlight.get(connection) ?? 1) - 1;
      if (left === 0) inFlight.delete(connection);
      else inFlight.set(connection, left);
    }
  };
}
