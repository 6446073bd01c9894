/**
 * MQTT topic layout. Device ids are AWS IoT thing names, so a policy can bind a connection to
 * its own topics with `${iot:Connection.Thing.ThingName}`.
 */

/** Thing names: AWS IoT allows [a-zA-Z0-9:_-]{1,128}; we also keep them URL- and topic-safe. */
export const deviceIdPattern = /^[a-zA-Z0-9_-]{1,64}$/;

export const topics = {
  /** Device → cloud telemetry. Level 3 (1-based, as in IoT SQL `topic(3)`) is the device id. */
  telemetry: (deviceId: string) => `fleet/devices/${deviceId}/telemetry`,
  telemetryFilter: 'fleet/devices/+/telemetry',
  /** Telemetry re-published after validation for live views (browser subscriptions). */
  live: (deviceId: string) => `fleet/live/${deviceId}`,
  liveFilter: 'fleet/live/+',
  /** AWS IoT lifecycle events (https://docs.aws.amazon.com/iot/latest/developerguide/life-cycle-events.html). */
  presenceConnected: (clientId: string) => `$aws/events/presence/connected/${clientId}`,
  presenceDisconnected: (clientId: string) => `$aws/events/presence/disconnected/${clientId}`,
  presenceFilter: '$aws/events/presence/+/+',
} as const;

/** Extracts the device id of a telemetry topic, or undefined when the topic is not one. */
export function deviceIdOfTelemetryTopic(topic: string): string | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'fleet' || parts[1] !== 'devices' || parts[3] !== 'telemetry') return undefined;
  const id = parts[2];
  return id !== undefined && deviceIdPattern.test(id) ? id : undefined;
}
