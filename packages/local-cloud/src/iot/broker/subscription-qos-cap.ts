/**
 * AWS IoT Core supports QoS 0 and 1: a SUBSCRIBE asking QoS 2 is granted QoS 1
 * (https://docs.aws.amazon.com/iot/latest/developerguide/mqtt.html#mqtt-qos). aedes fixes the
 * granted QoS from the request before `authorizeSubscribe` runs, so the request is lowered as it
 * leaves the parser (`client._parser`, mqtt-packet's Parser), ahead of aedes' own listener.
 */
import type { Client } from 'aedes';

interface PacketEmitter {
  prependListener(event: 'packet', listener: (packet: { cmd?: string; subscriptions?: { qos: number }[] }) => void): unknown;
}

/** Returns false when the parser is not the expected shape (the cap is then inactive). */
export function capSubscriptionQos(client: Client, maxQos: 0 | 1): boolean {
  const parser = (client as unknown as { _parser?: PacketEmitter })._parser;
  if (!parser || typeof parser.prependListener !== 'function') return false;
  parser.prependListener('packet', (packet) => {
    if (packet.cmd !== 'subscribe' || !packet.subscriptions) return;
    for (const subscription of packet.subscriptions) if (subscription.qos > maxQos) subscription.qos = maxQos;
  });
  return true;
}
