/**
 * Notification channels, on the wire: each is an Amazon SNS subscription to Fleet's alarm
 * notifications topic (`alarmNotificationsTopic`). A webhook (http/https) or an e-mail address is
 * `pending` until its owner confirms (SNS sends the confirmation), then `confirmed`. A channel may
 * ask only for alarms of a minimum severity: an SNS filter policy on the `severity` message
 * attribute, which the Data Service sets on every alarm notification it publishes.
 */
import { Type, type Static } from 'typebox';
import { alarmSeverities, AlarmSeveritySchema, type AlarmSeverity } from './alarm-contract.ts';

export const channelProtocols = ['https', 'http', 'email'] as const;
export type ChannelProtocol = (typeof channelProtocols)[number];

export const channelLimits = {
  /** Subscriptions listed (ListSubscriptionsByTopic pages of 100). */
  maxChannels: 100,
  maxEndpointLength: 2048,
} as const;

/** The SNS message attribute alarm notifications carry, which filter policies match. */
export const severityMessageAttribute = 'severity';

export const ChannelFilterSchema = Type.Object(
  { minSeverity: Type.Optional(AlarmSeveritySchema) },
  { additionalProperties: false, description: 'Only alarms at least this severe' },
);
export type ChannelFilter = Static<typeof ChannelFilterSchema>;

export const ChannelIdSchema = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,1400}$',
  maxLength: 1400,
  description: "The channel's SNS subscription ARN, base64url encoded",
});

export const ChannelSchema = Type.Object(
  {
    id: ChannelIdSchema,
    protocol: Type.Enum(channelProtocols),
    endpoint: Type.String({ maxLength: channelLimits.maxEndpointLength }),
    status: Type.Enum(['pending', 'confirmed'] as const),
    filter: Type.Optional(ChannelFilterSchema),
  },
  { title: 'NotificationChannel' },
);
export type Channel = Static<typeof ChannelSchema>;

export const ChannelListSchema = Type.Object({ channels: Type.Array(ChannelSchema, { maxItems: channelLimits.maxChannels }) });
export type ChannelList = Static<typeof ChannelListSchema>;

/** `POST /api/notification-channels`. */
export const ChannelInputSchema = Type.Object(
  {
    protocol: Type.Enum(channelProtocols),
    endpoint: Type.String({
      minLength: 3,
      maxLength: channelLimits.maxEndpointLength,
      description: 'The URL (http/https) or e-mail address',
    }),
    filter: Type.Optional(ChannelFilterSchema),
  },
  { additionalProperties: false, title: 'NotificationChannelInput' },
);
export type ChannelInput = Static<typeof ChannelInputSchema>;

/** Why an endpoint does not suit its protocol, or undefined when it does. */
export function channelEndpointProblem(protocol: ChannelProtocol, endpoint: string): string | undefined {
  if (protocol === 'email') return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(endpoint) ? undefined : 'expected an e-mail address';
  try {
    const url = new URL(endpoint);
    return url.protocol === `${protocol}:` ? undefined : `expected a ${protocol}:// URL`;
  } catch {
    return `expected a ${protocol}:// URL`;
  }
}

/** The SNS filter policy (MessageAttributes scope) of a minimum severity: it and every more urgent one. */
export function severityFilterPolicy(minSeverity: AlarmSeverity): { [severityMessageAttribute]: AlarmSeverity[] } {
  return { [severityMessageAttribute]: alarmSeverities.slice(0, alarmSeverities.indexOf(minSeverity) + 1) };
}

/** The minimum severity a filter policy written by `severityFilterPolicy` stands for, if it is one. */
export function minSeverityOfFilterPolicy(policy: string | undefined): AlarmSeverity | undefined {
  if (!policy) return undefined;
  try {
    const listed: unknown = (JSON.parse(policy) as Record<string, unknown>)[severityMessageAttribute];
    if (!Array.isArray(listed)) return undefined;
    const least = alarmSeverities.filter((s) => listed.includes(s)).at(-1);
    return least !== undefined && JSON.stringify(severityFilterPolicy(least)[severityMessageAttribute]) === JSON.stringify(listed)
      ? least
      : undefined;
  } catch {
    return undefined;
  }
}

/** One e-mail of the local cloud's mailbox (`GET /_fleet/mailbox` on its AWS port). */
export const MailSchema = Type.Object({
  to: Type.String({ maxLength: 512 }),
  subject: Type.String({ maxLength: 1024 }),
  body: Type.String({ maxLength: 256 * 1024 }),
  /** ISO 8601 */
  sentAt: Type.String({ maxLength: 40 }),
});
export type Mail = Static<typeof MailSchema>;

/** The local mailbox: e-mail the SNS stand-in "sent", newest first. Only the local runtime has one. */
export const MailboxSchema = Type.Object({ messages: Type.Array(MailSchema, { maxItems: 1000 }) }, { title: 'LocalMailbox' });
export type Mailbox = Static<typeof MailboxSchema>;

/** Channel ids are SNS subscription ARNs made URL-safe (base64url, no padding). */
export function channelIdOf(subscriptionArn: string): string {
  return base64UrlEncode(new TextEncoder().encode(subscriptionArn));
}

/**
 * SNS lists a subscription waiting for confirmation without its ARN (`PendingConfirmation`), so such a
 * channel's id names its protocol and endpoint instead.
 */
export function pendingChannelId(protocol: string, endpoint: string): string {
  return channelIdOf(`${pendingIdPrefix}${protocol}:${endpoint}`);
}

const pendingIdPrefix = 'pending:';

/** What a channel id names: a subscription by its ARN, a pending one, or nothing Fleet made. */
export function decodeChannelId(channelId: string): { kind: 'subscription'; arn: string } | { kind: 'pending' } | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(base64UrlDecode(channelId));
    if (text.startsWith('arn:')) return { kind: 'subscription', arn: text };
    return text.startsWith(pendingIdPrefix) ? { kind: 'pending' } : undefined;
  } catch {
    return undefined;
  }
}

function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64UrlDecode(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
