/**
 * `GET|PUT /data/retention`: how long each kind of data is kept, per fleet and per thing group
 * (data-life/retention.ts). Reading them needs `readDataUsage`, changing them `manageRetention`
 * (admins). A change applies to items written after it, as DynamoDB TTL works; a changed archive
 * retention is applied to the bucket's lifecycle rules at once.
 */
import {
  bodyLimits,
  dataLifePaths,
  errorResponses,
  retentionProblems,
  RetentionSettingsInputSchema,
  RetentionSettingsSchema,
} from '@fleet/core';
import { callerErrors, callerOf, type RequireCaller } from '../caller-check.ts';
import type { RetentionStore } from '../retention/retention-store.ts';
import { AnswerError, type DataApp } from './answer-error.ts';

export interface RetentionRoutesDeps {
  readonly caller: RequireCaller;
  readonly retention: RetentionStore;
  /** Applies a new archive retention to the bucket's lifecycle rules. */
  readonly applyArchiveDays: (archiveDays: number) => Promise<unknown>;
}

export function registerRetentionRoutes(app: DataApp, deps: RetentionRoutesDeps): void {
  const path = `/data${dataLifePaths.retention}`;

  app.get(
    path,
    {
      onRequest: deps.caller('readDataUsage'),
      schema: { response: { 200: RetentionSettingsSchema, ...errorResponses(...callerErrors) } },
    },
    async () => deps.retention.get(),
  );

  app.put(
    path,
    {
      bodyLimit: bodyLimits.api,
      onRequest: deps.caller('manageRetention'),
      schema: {
        body: RetentionSettingsInputSchema,
        response: { 200: RetentionSettingsSchema, ...errorResponses(...callerErrors, 'ValidationError') },
      },
    },
    async (request) => {
      const problems = retentionProblems(request.body);
      if (problems.length > 0) throw new AnswerError('ValidationError', `retention settings are inconsistent: ${problems.join('; ')}`);
      const before = await deps.retention.get();
      const settings = await deps.retention.put(request.body, callerOf(request).username);
      if (settings.fleet.archiveDays !== before.fleet.archiveDays) await deps.applyArchiveDays(settings.fleet.archiveDays);
      return settings;
    },
  );
}
