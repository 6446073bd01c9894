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
  /**
   * A stored reading of a device in a granted thing group, re-published by the Data Service for the
   * live views of users granted that group (device-access.ts): their IoT policy allows these topics
   * of their groups, and not the devices' own telemetry topics.
   */
  groupTelemetry: (group: string, deviceId: string) => `fleet/groups/${group}/devices/${deviceId}/telemetry`,
  /** Every device's readings re-published for a group. */
  groupTelemetryFilter: (group: string) => `fleet/groups/${group}/devices/+/telemetry`,
  /** Every topic under a group, as an IoT policy resource (a policy `*` matches any characters, `/` too): short, for the policy's size limit. */
  groupPolicyResource: (group: string) => `fleet/groups/${group}/*`,
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
