/**
 * The Device Shadow service of the IoT stand-in, assembled: the store under `location`, the service,
 * its MQTT listener (to attach to the broker) and its HTTP routes' service (for the data plane).
 * See ../README.md, "Device Shadow service".
 */
import type { Logger } from 'pino';
import type { MessageListener } from '../broker/message-listeners.ts';
import { createShadowMessageListener } from './shadow-mqtt-listener.ts';
import { createShadowService, type ShadowService } from './shadow-service.ts';
import { openShadowStore } from './shadow-store.ts';

export type { ShadowService } from './shadow-service.ts';

export interface ShadowStandIn {
  readonly service: ShadowService;
  /** Answers the shadow request topics; attach it to the broker. */
  readonly listener: MessageListener;
  /** Closes the store once its pending writes are done. */
  close(): Promise<void>;
}

export async function createShadowStandIn(options: {
  /** The LevelDB folder. */
  readonly location: string;
  /** Publishes as the service (the broker's `publish`), at QoS 1. */
  readonly publish: (topic: string, payload: string) => Promise<void>;
  readonly log?: Logger;
}): Promise<ShadowStandIn> {
  const store = await openShadowStore(options.location);
  const log = options.log ? { log: options.log } : {};
  const service = createShadowService({ store, publish: options.publish, ...log });
  return {
    service,
    listener: createShadowMessageListener({ service, publish: options.publish, ...log }),
    close: () => store.close(),
  };
}
