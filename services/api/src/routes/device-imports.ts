/**
 * Bulk registration from a CSV file (contract: `@fleet/core` device-import-contract.ts):
 * `POST /api/device-imports` checks the file and answers 202 with the job, which runs in this task;
 * `GET /api/device-imports/{id}` its progress and row results (failed rows first, paged);
 * `GET /api/device-imports/{id}/credentials` the ZIP of the created devices' certificates and
 * private keys, once, to the user who started the import (the keys are then forgotten).
 * All three need `manageDevices`. A user limited to thing groups imports into their groups only and
 * sees only their own imports.
 */
import { randomUUID } from 'node:crypto';
import {
  bodyLimits,
  DeviceImportAnswerSchema,
  DeviceImportFileError,
  DeviceImportJsonBodySchema,
  DeviceImportQuerySchema,
  deviceImportLimits,
  errorResponses,
  parseDeviceImportCsv,
  deviceAccessOf,
  type DeviceImportRow,
  type DeviceImportRowResult,
} from '@fleet/core';
import type { Caller } from '@fleet/core/tokens';
import { Type } from 'typebox';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import { requireGroup } from '../auth/device-scope.ts';
import { auditThisRead, setAuditTarget } from '../audit/audit-trail.ts';
import { credentialsArchive, type ImportCredentials } from '../device-imports/import-credentials.ts';
import { newImportJob, type ImportRunner } from '../device-imports/import-runner.ts';
import type { ImportStore } from '../device-imports/import-store.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, paramErrors, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';

export interface DeviceImportRoutesDeps {
  readonly authorizer: Authorizer;
  readonly store: ImportStore;
  readonly runner: ImportRunner;
  readonly credentials: ImportCredentials;
  /** The root CA devices trust, for the archive. */
  readonly rootCaPem: () => Promise<string>;
}

const ImportParams = StrictObject({
  importId: Type.String({ pattern: '^[0-9a-f-]{36}$', maxLength: 36, description: 'The import id' }),
});
const ImportQuery = StrictObject(DeviceImportQuerySchema.properties);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Failed rows first (what a person has to act on), then by row number. */
const resultOrder = (a: DeviceImportRowResult, b: DeviceImportRowResult) =>
  Number(b.outcome === 'failed') - Number(a.outcome === 'failed') || a.row - b.row;

const isScoped = (caller: Caller) => deviceAccessOf(caller.groups).kind === 'groups';

/**
 * A user limited to thing groups imports only into their groups: every row names one (403
 * OutsideDeviceAccess otherwise, before any device is made), else they would lose sight of it.
 */
function checkGroupsInReach(caller: Caller, rows: readonly DeviceImportRow[]): void {
  if (!isScoped(caller)) return;
  for (const row of rows) {
    if (row.group === undefined) {
      throw apiError(
        'OutsideDeviceAccess',
        `row ${row.row} names no group: your access is limited to thing groups, so every row needs one of yours`,
      );
    }
    requireGroup(caller, row.group);
  }
}

export function registerDeviceImportRoutes(app: TypedApp, deps: DeviceImportRoutesDeps): void {
  const { authorizer, store, runner, credentials } = deps;

  // A scope of its own: only this route takes text/csv (everywhere else it stays a 415).
  void app.register(async (scope: TypedApp) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (_request, body, done) => {
      try {
        done(null, utf8.decode(body as Buffer));
      } catch {
        done(apiError('MalformedRequest', 'The CSV file is not valid UTF-8; save it as "CSV UTF-8"'), undefined);
      }
    });
    scope.post(
      '/api/device-imports',
      {
        onRequest: authorizer.require('manageDevices'),
        // JSON escaping may lengthen the text: the file's own limit is checked on the text below.
        bodyLimit: bodyLimits.apiDeviceImport,
        schema: {
          tags: ['devices'],
          summary: 'Register many devices from a CSV file (bulk registration); answers 202 with the job',
          description:
            `The body is the CSV file (\`text/csv\`, UTF-8) or JSON \`{ "csv": "..." }\`: a header naming \`name\` (required), ` +
            `\`deviceId\`, \`group\`, \`attr.<key>\` and \`csr\` (a device's own PEM request, subject CN=<deviceId>: its row names the id ` +
            `and the archive holds no key for it) columns, at most ${deviceImportLimits.maxRows} rows and ` +
            `${deviceImportLimits.maxBytes / 1024 / 1024} MiB. A row without deviceId gets an id derived from its name, ` +
            'so importing the same file again registers nothing twice (those rows are `existing`). A problem of the whole file ' +
            `answers 400; a bad row is a failed row of the job. The body may be at most ${bodyLimits.apiDeviceImport / 1024} KiB ` +
            '(JSON escaping lengthens the file); a larger one answers 413 PayloadTooLarge.',
          security: bearer,
          body: {
            content: {
              'text/csv': { schema: Type.String({ minLength: 1 }) },
              'application/json': { schema: StrictObject(DeviceImportJsonBodySchema.properties) },
            },
          },
          response: {
            202: DeviceImportAnswerSchema,
            ...errorResponses(...permissionErrors, ...bodyErrors, 'PayloadTooLarge', 'UnsupportedMediaType', 'OutsideDeviceAccess'),
          },
        },
      },
      async (request, reply) => {
        const caller = authOf(request);
        const body = request.body as string | { csv: string } | undefined;
        // A POST without a body (and so without a content type) reaches here unvalidated.
        if (body === undefined) throw apiError('ValidationError', 'body is required: the CSV file (text/csv) or { "csv": "..." } as JSON');
        const csv = typeof body === 'string' ? body : body.csv;
        if (Buffer.byteLength(csv) > deviceImportLimits.maxBytes) {
          throw apiError('PayloadTooLarge', `The file is larger than ${deviceImportLimits.maxBytes / 1024 / 1024} MiB`);
        }
        let parsed;
        try {
          parsed = parseDeviceImportCsv(csv);
        } catch (err) {
          if (err instanceof DeviceImportFileError) throw apiError('ValidationError', err.message);
          throw err;
        }
        checkGroupsInReach(caller, parsed.rows);
        const job = newImportJob(randomUUID(), caller.username, parsed);
        const stored = { job, ownerSub: caller.sub };
        await store.create(stored);
        setAuditTarget(request, { type: 'device-imports', id: job.importId });
        request.log.info({ importId: job.importId, rows: job.counts.total, by: caller.sub }, 'device import started');
        // Runs on after the answer; its progress is in the table.
        void runner.run(stored, { sub: caller.sub, username: caller.username }, parsed);
        return reply.code(202).send({ job: { ...job, credentialsAvailable: false }, results: [] });
      },
    );
  });

  app.get(
    '/api/device-imports/:importId',
    {
      onRequest: authorizer.require('manageDevices'),
      schema: {
        tags: ['devices'],
        summary: "A device import's progress and its row results (failed rows first), paged",
        security: bearer,
        params: ImportParams,
        querystring: ImportQuery,
        response: { 200: DeviceImportAnswerSchema, ...errorResponses(...permissionErrors, ...paramErrors, 'ImportNotFound') },
      },
    },
    async (request) => {
      const { importId } = request.params;
      const found = await store.get(importId);
      // A scoped user's view of imports is their own: another's rows name devices outside their access.
      if (!found || (isScoped(authOf(request)) && found.ownerSub !== authOf(request).sub))
        throw apiError('ImportNotFound', `No device import "${importId}"`);
      const offset = request.query.offset ?? 0;
      const limit = request.query.limit ?? 100;
      const results = found.results.sort(resultOrder);
      const end = offset + limit;
      return {
        job: { ...found.job, credentialsAvailable: credentials.has(importId) && authOf(request).sub === found.ownerSub },
        results: results.slice(offset, end),
        ...(end < results.length ? { nextOffset: end } : {}),
      };
    },
  );

  app.get(
    '/api/device-imports/:importId/credentials',
    {
      onRequest: authorizer.require('manageDevices'),
      schema: {
        tags: ['devices'],
        summary: "The created devices' certificates and private keys, the root CA and a manifest, as one ZIP: once",
        description:
          'Only the user who started the import, once, within an hour, from the API task that ran it: the private keys are held ' +
          "in that task's memory only and forgotten once handed out. Afterwards the answer is 410 CredentialsGone (the " +
          'certificates stay valid). Download it when the job has finished: keys of rows still running are not in it.',
        security: bearer,
        params: ImportParams,
        response: {
          200: Type.Unsafe<Buffer>({
            type: 'string',
            format: 'binary',
            maxLength: 64 * 1024 * 1024,
            description: 'application/zip',
          }),
          ...errorResponses(...permissionErrors, ...paramErrors, 'ImportNotFound', 'CredentialsGone'),
        },
      },
    },
    async (request, reply) => {
      // Who took (or tried to take) a batch of private keys is in the audit trail, refusals too.
      auditThisRead(request);
      const caller = authOf(request);
      const { importId } = request.params;
      const found = await store.get(importId);
      if (!found) throw apiError('ImportNotFound', `No device import "${importId}"`);
      if (found.ownerSub !== caller.sub) throw apiError('Forbidden', "Only the user who started an import downloads its devices' keys");
      const issued = credentials.take(importId);
      if (!issued) {
        throw apiError(
          'CredentialsGone',
          "The import's private keys are no longer held: downloaded already, older than an hour, or the API task restarted",
        );
      }
      const archive = credentialsArchive(issued, await deps.rootCaPem());
      request.log.info({ importId, devices: issued.length, by: caller.sub }, 'device import credentials downloaded');
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="fleet-devices-${importId}.zip"`)
        .header('cache-control', 'no-store')
        .send(Buffer.from(archive));
    },
  );
}
