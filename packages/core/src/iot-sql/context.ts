import type { EvalContext } from './eval-context.ts';
import type { EvaluateOptions, IotMessage } from './message.ts';
import { defaultSqlVersion, type SqlVersion } from './sql-version.ts';
import { effectiveTopic } from './topic-filter.ts';
import type { SqlValue } from './values.ts';

type ParsedPayload = { readonly json: boolean; readonly document: SqlValue };

/**
 * Parsed payloads by identity: every rule and action template of one message reuses one parse.
 * Safe because evaluation never mutates a document.
 */
const parsedPayloads = new WeakMap<Uint8Array, ParsedPayload>();

/** A payload is JSON when it is UTF-8 text that parses as JSON; otherwise `*` is its raw bytes. */
export function parsePayload(payload: Uint8Array): ParsedPayload {
  let parsed = parsedPayloads.get(payload);
  if (parsed === undefined) {
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
      parsed = { json: true, document: JSON.parse(text) as SqlValue };
    } catch {
      parsed = { json: false, document: payload };
    }
    parsedPayloads.set(payload, parsed);
  }
  return parsed;
}

export function createEvalContext(
  message: IotMessage,
  options: EvaluateOptions = {},
  parsed = parsePayload(message.payload),
  version: SqlVersion = defaultSqlVersion,
): EvalContext {
  return {
    topic: effectiveTopic(message.topic),
    clientId: message.clientId,
    timestamp: message.timestamp,
    principal: message.principal,
    traceId: message.traceId,
    accountId: options.accountId ?? '000000000000',
    payload: message.payload,
    document: parsed.document,
    newUuid: options.newUuid ?? (() => globalThis.crypto.randomUUID()),
    random: options.random ?? Math.random,
    version,
    variables: new Map(Object.entries(options.variables ?? {})),
    mqtt5: message.mqtt5 ?? {},
  };
}
