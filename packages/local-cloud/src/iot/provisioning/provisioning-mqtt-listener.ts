/**
 * The device side of fleet provisioning over MQTT (https://docs.aws.amazon.com/iot/latest/developerguide/fleet-provision-api.html):
 * a broker message listener answering
 * - `$aws/certificates/create/json` (CreateKeysAndCertificate: a key pair and a certificate of the
 *   local CA, PENDING_ACTIVATION, and its ownership token),
 * - `$aws/certificates/create-from-csr/json` (CreateCertificateFromCsr: the device keeps its key),
 * - `$aws/provisioning-templates/<name>/provision/json` (RegisterThing, register-thing.ts),
 * on the request topic + `/accepted`, or `/rejected` with `{ statusCode, errorCode, errorMessage }`.
 * AWS returns the results "through the same MQTT connection used to publish the API request": the
 * reply goes to that client only (still under its `iot:Receive` policy). Private keys leave in the
 * reply only and are never stored. When the registry could not be written the listener answers
 * `{ durable: false }`: no reply, no PUBACK, the device asks again after reconnecting.
 */
import {
  parseProvisioningTopic,
  provisioningErrorCodes,
  type CreateCertificateFromCsrResponse,
  type CreateKeysAndCertificateResponse,
  type ProvisioningErrorResponse,
} from '@fleet/core';
import type { Logger } from 'pino';
import type { BrokerMessage, MessageListener } from '../broker/message-listeners.ts';
import type { MessageOutcome } from '../broker/publish-gate.ts';
import { InvalidCsrError, type LocalCa } from '../ca/local-ca.ts';
import type { IotRegistry } from '../registry/iot-registry.ts';
import type { OwnershipTokens } from './ownership-tokens.ts';
import { ProvisioningRejection, registerThing, type CallHook } from './register-thing.ts';
import type { ProvisioningTemplates } from './provisioning-templates.ts';

export interface ProvisioningMqttListenerOptions {
  readonly registry: IotRegistry;
  readonly ca: LocalCa;
  readonly templates: ProvisioningTemplates;
  readonly tokens: OwnershipTokens;
  readonly callHook: CallHook;
  /** Sends a reply to the requesting client only. */
  readonly reply: (clientId: string, topic: string, payload: string, qos: 0 | 1) => Promise<unknown>;
  readonly log?: Logger;
}

function parsePayload(payload: Buffer): unknown {
  // CreateKeysAndCertificate's request is empty or `{}`.
  if (payload.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function createProvisioningMqttListener(options: ProvisioningMqttListenerOptions): MessageListener {
  const { registry, ca, tokens, log } = options;

  // Every accepted publish passes here (telemetry's hot path): other topics leave at once, synchronously.
  return (message: BrokerMessage) =>
    message.topic.startsWith('$aws/certificates/') || message.topic.startsWith('$aws/provisioning-templates/')
      ? answer(message)
      : undefined;

  async function answer(message: BrokerMessage): Promise<MessageOutcome | undefined> {
    const parsed = parseProvisioningTopic(message.topic);
    if (parsed?.kind !== 'request' || message.clientId === '') return undefined;
    const respond = async (outcome: 'accepted' | 'rejected', body: object) => {
      // What an accepted request changed is on disk before the device hears of it (a failure: no reply, no PUBACK).
      if (outcome === 'accepted') await registry.durable();
      await options
        .reply(message.clientId, `${message.topic}/${outcome}`, JSON.stringify(body), message.qos)
        .catch((err: unknown) => log?.warn({ err, topic: message.topic }, 'fleet provisioning: reply failed'));
      return undefined;
    };
    const request = parsePayload(message.payload);
    try {
      if (request === undefined) throw new ProvisioningRejection('InvalidPayload', 'The request is not a UTF-8 JSON object');
      switch (parsed.operation) {
        case 'create-keys': {
          const issued = await ca.issueDeviceCertificate();
          registry.addCertificate(issued, 'PENDING_ACTIVATION');
          const body: CreateKeysAndCertificateResponse = {
            certificateId: issued.certificateId,
            certificatePem: issued.certificatePem,
            privateKey: issued.privateKeyPem,
            certificateOwnershipToken: tokens.issue(issued.certificateId),
          };
          return await respond('accepted', body);
        }
        case 'create-from-csr': {
          const csr = (request as { certificateSigningRequest?: unknown }).certificateSigningRequest;
          if (typeof csr !== 'string' || csr === '') throw new ProvisioningRejection('InvalidCsr', 'certificateSigningRequest is required');
          const issued = await ca.issueCertificateFromCsr(csr).catch((err: unknown) => {
            if (err instanceof InvalidCsrError) throw new ProvisioningRejection('InvalidCsr', err.message);
            throw err;
          });
          registry.addCertificate(issued, 'PENDING_ACTIVATION');
          const body: CreateCertificateFromCsrResponse = {
            certificateOwnershipToken: tokens.issue(issued.certificateId),
            certificateId: issued.certificateId,
            certificatePem: issued.certificatePem,
          };
          return await respond('accepted', body);
        }
        case 'register-thing': {
          const body = await registerThing(options, {
            templateName: parsed.templateName ?? '',
            request,
            clientId: message.clientId,
            ...(message.principal !== undefined ? { claimCertificateId: message.principal } : {}),
          });
          log?.info({ thingName: body.thingName, template: parsed.templateName }, 'fleet provisioning: thing registered');
          return await respond('accepted', body);
        }
      }
    } catch (err) {
      if (err instanceof ProvisioningRejection) {
        const body: ProvisioningErrorResponse = {
          statusCode: provisioningErrorCodes[err.errorCode],
          errorCode: err.errorCode,
          errorMessage: err.message,
        };
        return respond('rejected', body);
      }
      // The registry could not be written: no reply and no PUBACK; the device publishes again.
      log?.error({ err, topic: message.topic }, 'fleet provisioning: request not durable');
      return { durable: false, reason: `fleet provisioning: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}
