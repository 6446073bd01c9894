/**
 * Dead letters on the wire: what `GET /api/dead-letters` and `POST /api/dead-letters/replay` answer
 * (the Data Service produces them, the API relays them, the web app shows them). One TypeBox schema
 * per shape gives both services their validation, serialization and OpenAPI, and everyone the type.
 */
import { Type, type Static } from 'typebox';
import { DeviceIdSchema } from './telemetry-contract.ts';

/**
 * The longest `payload`: base64 of the largest SQS message (256 KiB), which bounds both kinds (a
 * telemetry payload of at most 128 KB, base64-encoded, or the queue message body as received).
 */
const maxPayloadLength = 4 * Math.ceil((256 * 1024) / 3);

/** Dead letters per `GET /api/dead-letters` page. */
export const maxDeadLettersPerPage = 100;

/** A message the ingest path could not accept, kept in S3 with the reason (`dead-letters/ingest/`). */
export const DeadLetterEntrySchema = Type.Object({
  key: Type.String({ maxLength: 1024, description: 'Its S3 object key' }),
  messageId: Type.String({ maxLength: 1024 }),
  reason: Type.String({ maxLength: 2048, description: 'Why it was not stored' }),
  payload: Type.String({
    maxLength: maxPayloadLength,
    description: 'As received: base64 for telemetry messages, the queue message body otherwise',
  }),
  deviceId: Type.Optional(DeviceIdSchema),
  receivedAt: Type.Number({ description: 'Epoch milliseconds' }),
});
export type DeadLetterEntry = Static<typeof DeadLetterEntrySchema>;

/** Statuses of an SQS message move task (`ListMessageMoveTasks`), and `NOTHING_TO_MOVE` when the DLQ was empty. */
export const queueReplayStatuses = ['NOTHING_TO_MOVE', 'RUNNING', 'COMPLETED', 'CANCELLING', 'CANCELLED', 'FAILED'] as const;
export type QueueReplayStatus = (typeof queueReplayStatuses)[number];

/** The ingest dead-letter queue's redrive back to the ingest queue. */
export const QueueReplaySchema = Type.Object({
  status: Type.Enum(queueReplayStatuses),
  moved: Type.Integer({ description: 'Messages moved so far' }),
  toMove: Type.Integer({ description: 'Messages the DLQ held when the task started' }),
  failureReason: Type.Optional(Type.String({ maxLength: 1024 })),
});
export type QueueReplay = Static<typeof QueueReplaySchema>;

/** What waits to be replayed, by kind. */
export const DeadLetterBacklogSchema = Type.Object({
  errorActionMessages: Type.Integer({ description: "Messages the telemetry rule's error action saved in S3 (counted up to 1,000)" }),
  errorActionMessagesMore: Type.Boolean({ description: 'More than counted are waiting' }),
  deadLetterQueueMessages: Type.Integer({ description: 'Messages in the ingest dead-letter queue (visible, in flight and delayed)' }),
  deadLetterQueueReplay: Type.Optional(QueueReplaySchema),
});
export type DeadLetterBacklog = Static<typeof DeadLetterBacklogSchema>;

/** `GET /api/dead-letters`: recent rejected readings, newest first, and what waits for replay. */
export const DeadLetterOverviewSchema = Type.Object({
  deadLetters: Type.Array(DeadLetterEntrySchema, { maxItems: maxDeadLettersPerPage }),
  backlog: Type.Optional(DeadLetterBacklogSchema),
});
export type DeadLetterOverview = Static<typeof DeadLetterOverviewSchema>;

/** `POST /api/dead-letters/replay` (admins): what was put back on the ingest queue. */
export const DeadLetterReplayResultSchema = Type.Object({
  errorAction: Type.Object({
    replayed: Type.Integer({ description: 'Error-action objects re-queued (and deleted)' }),
    skipped: Type.Integer({ description: 'Objects that are not replayable error-action messages (left in place)' }),
    remaining: Type.Boolean({ description: 'More objects wait for another replay' }),
  }),
  deadLetterQueue: QueueReplaySchema,
});
export type DeadLetterReplayResult = Static<typeof DeadLetterReplayResultSchema>;
