/**
 * Notification channels: webhooks and e-mail addresses that receive every alarm notification, as
 * subscriptions of the alarm notifications SNS topic (notifications/sns-channels.ts). Admins manage
 * them (`manageNotifications`). The local mailbox shows what the local cloud "mailed".
 */
import {
  bodyLimits,
  ChannelIdSchema,
  ChannelInputSchema,
  ChannelListSchema,
  ChannelSchema,
  channelEndpointProblem,
  errorResponses,
  MailboxSchema,
} from '@fleet/core';
import { Type } from 'typebox';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, paramErrors, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import type { LocalMailbox } from '../notifications/local-mailbox.ts';
import type { SnsChannels } from '../notifications/sns-channels.ts';

export interface NotificationChannelRoutesDeps {
  readonly authorizer: Authorizer;
  readonly channels: SnsChannels;
  readonly mailbox: LocalMailbox;
}

export function registerNotificationChannelRoutes(app: TypedApp, deps: NotificationChannelRoutesDeps): void {
  const { authorizer, channels, mailbox } = deps;

  app.get(
    '/api/notification-channels',
    {
      onRequest: authorizer.require('manageNotifications'),
      schema: {
        tags: ['notifications'],
        summary: 'Webhooks and e-mail addresses that receive alarm notifications, pending until their owner confirms',
        security: bearer,
        response: { 200: ChannelListSchema, ...errorResponses(...permissionErrors) },
      },
    },
    async () => ({ channels: await channels.list() }),
  );

  app.post(
    '/api/notification-channels',
    {
      onRequest: authorizer.require('manageNotifications'),
      schema: {
        tags: ['notifications'],
        summary: 'Add a channel: SNS sends its owner a confirmation (a link by e-mail, a SubscriptionConfirmation POST to a URL)',
        description: `${bodyLimitNote(bodyLimits.api)} \`filter.minSeverity\` delivers only alarms at least that severe.`,
        security: bearer,
        body: ChannelInputSchema,
        response: { 201: ChannelSchema, ...errorResponses(...permissionErrors, ...bodyErrors) },
      },
    },
    async (request, reply) => {
      const problem = channelEndpointProblem(request.body.protocol, request.body.endpoint);
      if (problem) throw apiError('ValidationError', `body/endpoint: ${problem} for protocol ${request.body.protocol}`);
      const channel = await channels.add(request.body);
      request.log.info({ protocol: channel.protocol, by: authOf(request).sub }, 'notification channel added');
      return reply.code(201).send(channel);
    },
  );

  // Before `/:id`, which would take "mailbox" for an id.
  app.get(
    '/api/notification-channels/mailbox',
    {
      onRequest: authorizer.require('manageNotifications'),
      schema: {
        tags: ['notifications'],
        summary: "The local cloud's mailbox of e-mail notifications (local runtime only; 404 on AWS)",
        security: bearer,
        response: { 200: MailboxSchema, ...errorResponses(...permissionErrors, 'NotFound', 'BadGateway') },
      },
    },
    async () => mailbox.read(),
  );

  app.delete(
    '/api/notification-channels/:id',
    {
      onRequest: authorizer.require('manageNotifications'),
      schema: {
        tags: ['notifications'],
        summary: 'Remove a confirmed channel (unsubscribe)',
        security: bearer,
        params: StrictObject({ id: ChannelIdSchema }),
        response: {
          204: Type.Null({ description: 'Removed' }),
          ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'ChannelNotFound', 'Conflict'),
        },
      },
    },
    async (request, reply) => {
      await channels.remove(request.params.id);
      request.log.info({ by: authOf(request).sub }, 'notification channel removed');
      return reply.code(204).send(null);
    },
  );
}
