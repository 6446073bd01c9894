/**
 * The device side of AWS IoT Jobs over MQTT (https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-api.html):
 * a broker message listener that answers the requests devices publish on
 * `$aws/things/<thing>/jobs/{get, start-next, <jobId>/get, <jobId>/update}` with a reply on the
 * request topic + `/accepted` or `/rejected`, sent to the requesting client only (as AWS does:
 * handlers/client-reply.ts). A request is answered, and its PUBACK released, only once the change it
 * made is durable; when the store failed, the listener answers `{ durable: false }`: no reply, no
 * PUBACK, the device publishes again after reconnecting.
 */
import { parseJobsTopic, type JobsErrorCode, type JobsErrorResponse } from '@fleet/core';
import type { Logger } from 'pino';
import type { BrokerMessage, MessageListener } from '../broker/message-listeners.ts';
import type { MessageOutcome } from '../broker/publish-gate.ts';
import {
  describeJobExecution,
  getPendingJobExecutions,
  JobsRejection,
  startNextPendingJobExecution,
  updateJobExecution,
  type DeviceInput,
} from './job-device-operations.ts';
import { inMqttForm, wholeSeconds } from './job-views.ts';
import type { JobsEngine } from './jobs-engine.ts';

export interface JobsMqttListenerOptions {
  readonly engine: JobsEngine;
  /** Sends a reply to the requesting client only. */
  readonly reply: (clientId: string, topic: string, payload: string, qos: 0 | 1) => Promise<unknown>;
  readonly log?: Logger;
}

/** AWS: a clientToken of at most 64 characters. */
const maxClientTokenLength = 64;

function parsePayload(payload: Buffer): DeviceInput | undefined {
  // An empty request (e.g. a bare `get`) is an empty document.
  if (payload.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as DeviceInput) : undefined;
  } catch {
    return undefined;
  }
}

export function createJobsMqttListener(options: JobsMqttListenerOptions): MessageListener {
  const { engine, log } = options;

  // Every accepted publish passes here (telemetry's hot path): other topics leave at once, synchronously.
  return (message: BrokerMessage) => (message.topic.startsWith('$aws/things/') ? answer(message) : undefined);

  async function answer(message: BrokerMessage): Promise<MessageOutcome | undefined> {
    const parsed = parseJobsTopic(message.topic);
    // Only a client's requests: replies, notifications and the service's own messages are not.
    if (!parsed || parsed.kind === 'reply' || parsed.kind === 'notification' || message.clientId === '') return undefined;
    const respond = (outcome: 'accepted' | 'rejected', body: object) =>
      options
        .reply(message.clientId, `${message.topic}/${outcome}`, JSON.stringify(body), message.qos)
        .catch((err: unknown) => log?.warn({ err, topic: message.topic }, 'iot jobs: reply failed'));
    const timestamp = () => wholeSeconds(engine.context.now());
    const reject = async (code: JobsErrorCode, text: string, clientToken?: string, rejection?: JobsRejection) => {
      const body: JobsErrorResponse = {
        code,
        message: text,
        ...(clientToken !== undefined ? { clientToken } : {}),
        timestamp: timestamp(),
        ...(rejection?.executionState ? { executionState: rejection.executionState } : {}),
      };
      await respond('rejected', body);
      return undefined;
    };

    if (parsed.kind === 'invalid') return reject('InvalidTopic', `${message.topic} is not a topic of the AWS IoT Jobs MQTT API`);
    const input = parsePayload(message.payload);
    if (!input) return reject('InvalidJson', 'The request is not a UTF-8 JSON object');
    const token = input.clientToken;
    if (token !== undefined && (typeof token !== 'string' || token.length > maxClientTokenLength)) {
      return reject('InvalidRequest', `clientToken must be a string of at most ${maxClientTokenLength} characters`);
    }
    const clientToken = token;
    const { thingName } = parsed;
    const jobId = parsed.jobId ?? '';
    try {
      const result: object = await ((): Promise<object> => {
        switch (parsed.operation) {
          case 'get':
            return engine.read((context) => getPendingJobExecutions(context, thingName));
          case 'start-next':
            return engine.run((context, tx) => startNextPendingJobExecution(context, tx, thingName, input));
          case 'describe':
            // Over MQTT the document comes "unless set to false" (the HTTPS default is false).
            return engine.read((context) => describeJobExecution(context, thingName, jobId, { includeJobDocument: true, ...input }));
          case 'update':
            return engine.run((context, tx) => updateJobExecution(context, tx, thingName, jobId, input));
        }
      })();
      await respond('accepted', { ...inMqttForm(result), timestamp: timestamp(), ...(clientToken !== undefined ? { clientToken } : {}) });
      return undefined;
    } catch (err) {
      if (err instanceof JobsRejection) return reject(err.code, err.message, clientToken, err);
      // The change could not be made durable: no reply and no PUBACK; the device publishes again.
      log?.error({ err, topic: message.topic }, 'iot jobs: request not durable');
      return { durable: false, reason: `IoT Jobs: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}
