/**
 * A device's status as a person reads it: "online · last seen 3 s ago". Presence comes from AWS
 * IoT lifecycle events (the device view's `online`, `lastSeenAt`), which reach the Data Service
 * through a rule and a queue: a device that has just connected and published can still be
 * "offline" there for a few seconds. A reading received after the last lifecycle event proves
 * the device was connected when it sent it (it can only publish while connected), so it counts
 * as online until a newer lifecycle event says otherwise, for as long as a connection outlives its
 * last packet without a keep-alive (`readingProvesOnlineMs`); a reading older than that proves
 * nothing (an imported history, a device whose events never arrived).
 * https://docs.aws.amazon.com/iot/latest/developerguide/life-cycle-events.html
 */
import { timeAgo } from './format.ts';

export interface StatusFacts {
  /** Presence from lifecycle events. */
  readonly online?: boolean | undefined;
  /** ISO time of the last lifecycle event. */
  readonly lastSeenAt?: string | undefined;
  /** When the broker received the latest stored reading (epoch ms). */
  readonly latestReceivedAt?: number | undefined;
  /** When this page received the newest live reading (epoch ms, browser clock). */
  readonly liveReceivedAt?: number | undefined;
}

/**
 * How long a reading alone shows a device online: AWS IoT drops a connection after 1.5 × its
 * keep-alive without a packet; 60 s is the keep-alive of mosquitto_pub and mqtt.js.
 */
export const readingProvesOnlineMs = 90_000;

export interface DeviceStatus {
  readonly online: boolean;
  /** Epoch ms of the last sign of life: a lifecycle event or a reading; absent for a device never seen. */
  readonly lastSeen?: number;
}

export function deviceStatus(facts: StatusFacts, now = Date.now()): DeviceStatus {
  const event = facts.lastSeenAt === undefined ? undefined : Date.parse(facts.lastSeenAt);
  const reading = Math.max(facts.latestReceivedAt ?? -Infinity, facts.liveReceivedAt ?? -Infinity);
  const signs = [event ?? -Infinity, reading].filter(Number.isFinite);
  const lastSeen = signs.length ? Math.max(...signs) : undefined;
  const provesOnline = now - reading <= readingProvesOnlineMs && (event === undefined || reading > event);
  const online = facts.online === true || provesOnline;
  return lastSeen === undefined ? { online } : { online, lastSeen };
}

/** "online · last seen 3 s ago", "offline · never seen". */
export function statusText(status: DeviceStatus, now = Date.now()): string {
  const seen =
    status.lastSeen === undefined ? 'never seen' : `last seen ${timeAgo(new Date(Math.min(status.lastSeen, now)).toISOString(), now)}`;
  return `${status.online ? 'online' : 'offline'} · ${seen}`;
}
