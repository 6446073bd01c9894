/**
 * The broker's message listeners (the rules engine, and tests' recorders): what they see of every
 * accepted publish, and the fan-out that decides whether a message is durable.
 */
import type { Logger } from 'pino';
import { durable, type MessageOutcome } from './publish-gate.ts';

/** What the rules engine sees of every accepted publish. */
export interface BrokerMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** The publishing client's id; empty for messages the service itself publishes, `n/a` for an HTTPS publish. */
  readonly clientId: string;
  readonly timestamp: number;
  /** Certificate id or Cognito identity id of the publisher, when a client published. */
  readonly principal?: string;
  readonly qos: 0 | 1;
}

/**
 * Called for every accepted publish. A client's PUBACK waits until every listener answered (a
 * returned promise settled); a `MessageOutcome` `{ durable: false }` or a throw refuses the
 * message: no PUBACK, the connection is closed and the device retransmits (publish-gate.ts). Any
 * other answer (e.g. a test's recorder returning nothing) counts as durable.
 */
export type MessageListener = (message: BrokerMessage) => unknown;

const isNotDurable = (answer: unknown): answer is MessageOutcome & { durable: false } =>
  typeof answer === 'object' && answer !== null && (answer as { durable?: unknown }).durable === false;

export interface MessageListeners {
  add(listener: MessageListener): void;
  readonly size: number;
  /** Hands a message to every listener; durable only when each of them says so. Never rejects. */
  deliver(message: BrokerMessage): Promise<MessageOutcome>;
}

export function createMessageListeners(log?: Logger): MessageListeners {
  const listeners: MessageListener[] = [];
  return {
    add: (listener) => void listeners.push(listener),
    get size() {
      return listeners.length;
    },
    async deliver(message) {
      const outcomes = await Promise.all(
        listeners.map(async (listener): Promise<MessageOutcome> => {
          try {
            const answer = await listener(message);
            return isNotDurable(answer) ? answer : durable;
          } catch (err) {
            log?.error({ err, topic: message.topic }, 'iot broker: message listener failed');
            return { durable: false, reason: `message listener failed: ${err instanceof Error ? err.message : String(err)}` };
          }
        }),
      );
      return outcomes.find((o) => !o.durable) ?? durable;
    },
  };
}
