/**
 * Topic rules users define, on the wire. A user rule is an AWS IoT topic rule (SQL + actions) that
 * the API Service creates with the AWS IoT API; users choose among three actions: `republish` to a
 * topic under `fleet/rules/`, `webhook` (an IoT `http` action, which AWS sends only to a confirmed
 * topic rule destination) and `notify` (an `sns` action to Fleet's alarm notifications topic).
 *
 * Users' rules are stored in AWS IoT as `user_<name>`; the platform's own rules (`rules.ts`, named
 * `fleet_*`) are listed read-only and can never be changed through the API (RuleProtected).
 */
import { Type, type Static } from 'typebox';
import { sqlParseMessage, type IotSqlError } from './iot-sql/index.ts';

export const ruleLimits = {
  /** User rule names; AWS allows `[a-zA-Z0-9_]{1,128}`, less the `user_` prefix. */
  namePattern: /^[a-zA-Z0-9_]{1,100}$/,
  maxSqlLength: 4096,
  maxDescriptionLength: 512,
  /** Actions of one rule (AWS allows 10). */
  maxActions: 10,
  /** User rules of the organisation: each is listed with a GetTopicRule. */
  maxUserRules: 100,
  maxTestPayloadBytes: 16 * 1024,
} as const;

/** Prefix of users' rules in AWS IoT. */
export const userRulePrefix = 'user_';
/** Prefix of the platform's rules (`rules.ts`): read-only for users. */
export const platformRulePrefix = 'fleet_';

/** The AWS IoT rule name of a user's rule. */
export const awsRuleName = (name: string): string => `${userRulePrefix}${name}`;
/** The user's name of an AWS IoT rule of theirs, or undefined for any other rule. */
export const userRuleName = (awsName: string): string | undefined =>
  awsName.startsWith(userRulePrefix) ? awsName.slice(userRulePrefix.length) : undefined;
/** Names users cannot take: the platform's rules are listed under their own names. */
export const isPlatformRuleName = (name: string): boolean => name.startsWith(platformRulePrefix);

/**
 * Topics users' rules may republish to: only under `fleet/rules/`, so a rule can never forge
 * telemetry, presence, shadow or job messages. The user-rules role (`iam-policies.ts`) allows
 * `iot:Publish` on exactly this prefix. Substitution templates (`${topic(3)}`) are allowed.
 */
export const republishTopicPrefix = 'fleet/rules/';

export const RuleNameSchema = Type.String({
  pattern: ruleLimits.namePattern.source,
  maxLength: 100,
  description: 'Rule name: letters, digits and underscores',
});

/** A rule's name as listed: a user rule's name, or a platform rule's AWS name (`fleet_*`). */
export const RuleNameParamSchema = Type.String({ pattern: '^[a-zA-Z0-9_]{1,128}$', maxLength: 128 });

export const RepublishActionSchema = Type.Object(
  {
    kind: Type.Literal('republish'),
    topic: Type.String({
      pattern: `^${republishTopicPrefix.replace(/\//g, '\\/')}[^#+]{1,200}$`,
      maxLength: 212,
      description: `MQTT topic under ${republishTopicPrefix} (substitution templates allowed)`,
    }),
  },
  { additionalProperties: false },
);

export const topicRuleDestinationStatuses = ['ENABLED', 'IN_PROGRESS', 'DISABLED', 'ERROR', 'DELETING'] as const;

export const WebhookActionSchema = Type.Object(
  {
    kind: Type.Literal('webhook'),
    url: Type.String({ pattern: '^https://[^\\s]{1,2000}$', maxLength: 2008, description: 'HTTPS URL the rule POSTs its output to' }),
    /**
     * Answered only: the state of the topic rule destination AWS requires for the URL. IN_PROGRESS
     * until the receiver confirms (AWS sends it a confirmation token); ENABLED once confirmed.
     */
    destinationStatus: Type.Optional(Type.Enum(topicRuleDestinationStatuses)),
  },
  { additionalProperties: false },
);

export const NotifyActionSchema = Type.Object(
  { kind: Type.Literal('notify') },
  { additionalProperties: false, description: "Publishes the output to Fleet's alarm notifications topic (every channel gets it)" },
);

/** Actions a user may give a rule. */
export const UserRuleActionSchema = Type.Union([RepublishActionSchema, WebhookActionSchema, NotifyActionSchema]);
export type UserRuleAction = Static<typeof UserRuleActionSchema>;

/** An action a user cannot choose (a platform rule's, or one made outside Fleet): shown, never sent back. */
export const OtherRuleActionSchema = Type.Object({
  kind: Type.Literal('other'),
  /** The AWS IoT action type, e.g. `sqs`, `cloudwatchMetric`. */
  type: Type.String({ maxLength: 64 }),
  description: Type.String({ maxLength: 512 }),
});

export const RuleActionViewSchema = Type.Union([RepublishActionSchema, WebhookActionSchema, NotifyActionSchema, OtherRuleActionSchema]);
export type RuleActionView = Static<typeof RuleActionViewSchema>;

const SqlSchema = Type.String({ minLength: 1, maxLength: ruleLimits.maxSqlLength, description: 'AWS IoT SQL (2016-03-23)' });

/** `POST /api/rules`. */
export const RuleInputSchema = Type.Object(
  {
    name: RuleNameSchema,
    description: Type.Optional(Type.String({ maxLength: ruleLimits.maxDescriptionLength })),
    sql: SqlSchema,
    /** @default true */
    enabled: Type.Optional(Type.Boolean()),
    actions: Type.Array(UserRuleActionSchema, { minItems: 1, maxItems: ruleLimits.maxActions }),
    /** Runs when an action fails (AWS allows one). */
    errorAction: Type.Optional(UserRuleActionSchema),
  },
  { additionalProperties: false, title: 'RuleInput' },
);
export type RuleInput = Static<typeof RuleInputSchema>;

/** `PUT /api/rules/:name`: the whole rule again (ReplaceTopicRule), without its name. */
export const RuleUpdateSchema = Type.Object(
  {
    description: RuleInputSchema.properties.description,
    sql: SqlSchema,
    enabled: RuleInputSchema.properties.enabled,
    actions: RuleInputSchema.properties.actions,
    errorAction: RuleInputSchema.properties.errorAction,
  },
  { additionalProperties: false, title: 'RuleUpdate' },
);
export type RuleUpdate = Static<typeof RuleUpdateSchema>;

export const RuleSchema = Type.Object(
  {
    /** A user rule's name (without `user_`), or a platform rule's AWS name. */
    name: RuleNameParamSchema,
    description: Type.String({ maxLength: ruleLimits.maxDescriptionLength }),
    sql: Type.String({ maxLength: ruleLimits.maxSqlLength }),
    enabled: Type.Boolean(),
    actions: Type.Array(RuleActionViewSchema, { maxItems: ruleLimits.maxActions }),
    errorAction: Type.Optional(RuleActionViewSchema),
    createdAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    /** Defined in code by the platform: read-only. */
    platform: Type.Boolean(),
  },
  { title: 'Rule' },
);
export type Rule = Static<typeof RuleSchema>;

export const RuleListSchema = Type.Object({ rules: Type.Array(RuleSchema, { maxItems: ruleLimits.maxUserRules + 20 }) });
export type RuleList = Static<typeof RuleListSchema>;

/** `POST /api/rules/test`: runs a SQL statement on one sample message, as the rules engine would. */
export const RuleTestInputSchema = Type.Object(
  {
    sql: SqlSchema,
    topic: Type.String({ minLength: 1, maxLength: 256, pattern: '^[^#+]+$', description: 'Topic the sample message was published on' }),
    /** A JSON value (sent as its JSON text), or a string sent as it is (a non-JSON payload). */
    payload: Type.Unknown({ description: 'The sample payload: any JSON value, or a string taken as the raw payload' }),
    clientId: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false, title: 'RuleTestInput' },
);
export type RuleTestInput = Static<typeof RuleTestInputSchema>;

export const RuleTestResultSchema = Type.Object(
  {
    /** False when the topic does not match FROM or WHERE does not hold. */
    matched: Type.Boolean(),
    /** The SELECT output (JSON); absent when nothing matched or the output is Undefined. */
    output: Type.Optional(Type.Unknown()),
    /** A `SELECT *` of a non-JSON payload outputs the raw bytes: base64. */
    outputBase64: Type.Optional(Type.String({ maxLength: Math.ceil(ruleLimits.maxTestPayloadBytes / 3) * 4 })),
  },
  { title: 'RuleTestResult' },
);
export type RuleTestResult = Static<typeof RuleTestResultSchema>;

/**
 * The message of a 400 ValidationError for bad SQL: one format, so the web app can point at the
 * position (`sqlErrorPosition`) while the error body stays `{ code, message }`.
 */
export function sqlErrorMessage(err: IotSqlError): string {
  // AWS's own wording follows (`Line 1:9: mismatched input …`), as CreateTopicRule would answer it.
  return `SQL error at position ${err.position}: ${sqlParseMessage(err)}`;
}

/** The 0-based position in the SQL that `sqlErrorMessage` names, if the message is one. */
export function sqlErrorPosition(message: string): number | undefined {
  const match = /^SQL error at position (\d+): /.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** The payload bytes of a test request: a string as it is, any other JSON value as its JSON text. */
export function testPayloadBytes(payload: unknown): Uint8Array {
  return new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload ?? null));
}
