/**
 * How long each kind of data is kept: raw readings, each rollup level, and the raw archive in S3.
 * Set for the fleet, overridden per thing group (except the archive: its objects batch the readings
 * of many devices, so only a fleet-wide S3 lifecycle rule can expire them). DynamoDB TTL enforces the
 * table levels (each item's `expiresAt` is computed from the policy of its device when written, as
 * DynamoDB TTL works: a change applies to items written after it), an S3 lifecycle rule the archive.
 *
 * The Data Service owns the settings (its `fleet-data-control` table) and answers them; the API
 * relays them, the web app's Data page edits them next to the data volume and its modelled cost.
 */
import { Type, type Static } from 'typebox';
import { GroupNameSchema } from '../alarm-contract.ts';

export const retentionLimits = {
  minDays: 1,
  /** Ten years: the longest a chart query may reach back. */
  maxDays: 3650,
  /** Groups with their own policy. */
  maxGroupPolicies: 100,
} as const;

const days = (description: string) =>
  Type.Integer({ minimum: retentionLimits.minDays, maximum: retentionLimits.maxDays, description: `${description}, in days` });

export const RetentionPolicySchema = Type.Object(
  {
    rawDays: days('Raw readings (the telemetry table)'),
    minuteDays: days('1-minute rollups'),
    hourDays: days('1-hour rollups'),
    dayDays: days('1-day rollups'),
    archiveDays: days('Raw archive objects in S3 (fleet-wide only)'),
  },
  { additionalProperties: false },
);
export type RetentionPolicy = Static<typeof RetentionPolicySchema>;

/** A group's overrides: any table level; what it leaves out comes from the fleet policy. */
export const GroupRetentionSchema = Type.Partial(Type.Omit(RetentionPolicySchema, ['archiveDays']), { additionalProperties: false });
export type GroupRetention = Static<typeof GroupRetentionSchema>;

/** `GET|PUT /retention`. */
export const RetentionSettingsSchema = Type.Object(
  {
    fleet: RetentionPolicySchema,
    groups: Type.Record(GroupNameSchema, GroupRetentionSchema, {
      maxProperties: retentionLimits.maxGroupPolicies,
      additionalProperties: false,
      // The names bounded in the OpenAPI document too (a pattern key alone does not say so).
      propertyNames: GroupNameSchema,
      description: 'Thing group name → its overrides',
    }),
    updatedAt: Type.Optional(
      Type.String({ format: 'date-time', maxLength: 40, description: 'When they last changed (ISO 8601); absent for the defaults' }),
    ),
    updatedBy: Type.Optional(Type.String({ maxLength: 256, description: 'Who changed them last' })),
  },
  { additionalProperties: false },
);
export type RetentionSettings = Static<typeof RetentionSettingsSchema>;

/** What `PUT /retention` takes: the settings without their record of who changed them. */
export const RetentionSettingsInputSchema = Type.Omit(RetentionSettingsSchema, ['updatedAt', 'updatedBy'], { additionalProperties: false });
export type RetentionSettingsInput = Static<typeof RetentionSettingsInputSchema>;

/** ThingsBoard-like defaults: raw a month, minutes a quarter, hours two years, days ten years, the archive a year. */
export const defaultRetention: RetentionPolicy = { rawDays: 30, minuteDays: 90, hourDays: 730, dayDays: 3650, archiveDays: 365 };

export const defaultRetentionSettings: RetentionSettings = { fleet: defaultRetention, groups: {} };

/** The table levels, finest first: a coarser level must keep its data at least as long as a finer one. */
export const retentionLevels = ['rawDays', 'minuteDays', 'hourDays', 'dayDays'] as const;
export type RetentionLevel = (typeof retentionLevels)[number];

/** The policy of a device in `groups` (its thing groups): per level, the longest any of its groups asks for, else the fleet's. */
export function effectiveRetention(settings: Pick<RetentionSettings, 'fleet' | 'groups'>, groups: readonly string[]): RetentionPolicy {
  const policy = { ...settings.fleet };
  for (const level of retentionLevels) {
    const asked = groups.flatMap((g) => {
      const days = settings.groups[g]?.[level];
      return days === undefined ? [] : [days];
    });
    if (asked.length > 0) policy[level] = Math.max(...asked);
  }
  return policy;
}

/**
 * What is wrong with a settings input beyond its schema, as messages for a ValidationError: a level
 * kept shorter than a finer one leaves holes in long charts (the hour rollups of last year gone
 * while its minutes remain).
 */
export function retentionProblems(settings: Pick<RetentionSettings, 'fleet' | 'groups'>): string[] {
  const problems: string[] = [];
  const check = (name: string, policy: Partial<RetentionPolicy>) => {
    const full = { ...settings.fleet, ...policy };
    for (let i = 1; i < retentionLevels.length; i++) {
      const finer = retentionLevels[i - 1]!;
      const coarser = retentionLevels[i]!;
      if (full[coarser] < full[finer]) problems.push(`${name}: ${coarser} (${full[coarser]}) must be at least ${finer} (${full[finer]})`);
    }
  };
  check('fleet', settings.fleet);
  for (const [group, policy] of Object.entries(settings.groups)) check(`group ${group}`, policy);
  return problems;
}

/** The longest any data is kept: how far back a chart query may reach. */
export function longestRetentionDays(settings: Pick<RetentionSettings, 'fleet' | 'groups'>): number {
  const all = [settings.fleet, ...Object.values(settings.groups)].flatMap((p) => retentionLevels.map((l) => p[l] ?? 0));
  return Math.max(...all);
}

/** Exports and uploaded import files are kept this long in S3, then expire by lifecycle rule. */
export const transientObjectDays = 7;

/** One S3 lifecycle rule as both the CDK app and PutBucketLifecycleConfiguration express it. */
export interface BucketLifecycleRule {
  readonly id: string;
  readonly prefix: string;
  readonly expirationDays: number;
}

/**
 * The bucket's whole lifecycle configuration for an archive retention. The CDK app deploys it with
 * the default; the Data Service applies it (PutBucketLifecycleConfiguration replaces the whole set)
 * when the archive retention changes and at start-up, so a redeploy that reset it is corrected.
 * Dead letters have no rule: they wait for a replay.
 */
export function bucketLifecycleRules(
  archiveDays: number,
  prefixes: { archive: string; exports: string; imports: string },
): BucketLifecycleRule[] {
  return [
    { id: 'archive-retention', prefix: prefixes.archive, expirationDays: archiveDays },
    { id: 'exports-expire', prefix: prefixes.exports, expirationDays: transientObjectDays },
    { id: 'imports-expire', prefix: prefixes.imports, expirationDays: transientObjectDays },
  ];
}
