/**
 * Bulk registration from a CSV file (`POST /api/device-imports`): the file's columns and limits,
 * the job the API answers with, and each row's outcome. The API parses and checks the file with
 * `parseDeviceImportCsv` below, the web app previews it with the same function.
 *
 * Columns (a header line names them, in any order):
 * - `name` (required): the device's display name;
 * - `deviceId` (optional): its id; when absent or empty the API derives one from the name, the same
 *   one every time, so importing a file again registers nothing twice;
 * - `group` (optional): a static thing group the device is added to (created when missing);
 * - `attr.<key>` (optional, any number up to `maxAttributes`): a thing attribute, e.g. `attr.site`.
 *   One column per attribute rather than `key=value;...` in one cell: spreadsheets keep it tidy
 *   and no second escaping is needed;
 * - `csr` (optional): the PEM certificate signing request of a key the device made (a quoted cell,
 *   line breaks and all). Its certificate is signed from it and the device's key never leaves it:
 *   the archive holds no key for that row. Its subject must be `CN=<deviceId>`, so such a row names
 *   its `deviceId`. A row without one gets a key pair made by the API (EC P-256), answered once.
 */
import { Type, type Static } from 'typebox';
import { CsvSyntaxError, parseCsvRecords } from './csv/csv-records.ts';
import { csrPemMarker, deviceCertificateLimits } from './device-certificate-contract.ts';
import { deviceLimits } from './device-contract.ts';
import { DeviceIdSchema } from './telemetry-contract.ts';
import {
  isPlatformThingAttribute,
  thingAttributeKeyPattern,
  thingAttributeLimits,
  thingAttributeValuePattern,
} from './thing-attributes.ts';
import { deviceIdPattern } from './topics.ts';
import { thingGroupNamePattern } from './web-app/device-list.ts';

export const deviceImportLimits = {
  /** Data rows of one file. */
  maxRows: 10_000,
  /** Bytes of one file: 10,000 rows of ≈ 200 bytes, well under API Gateway's 10 MiB. */
  maxBytes: 4 * 1024 * 1024,
  /** `attr.<key>` columns. */
  maxAttributes: thingAttributeLimits.maxUserAttributes,
  /** Results per page of `GET /api/device-imports/{id}`. */
  maxResultsPage: 1_000,
  /** Registrations in flight at once: each is four AWS IoT calls and a DynamoDB write. */
  concurrency: 16,
  /** How long the generated private keys are held (in the API task's memory only) for one download. */
  credentialsTtlMs: 60 * 60 * 1000,
  /** A running job whose task has not written progress for this long is reported `interrupted`. */
  heartbeatTimeoutMs: 60_000,
} as const;

export const deviceImportColumns = { name: 'name', deviceId: 'deviceId', group: 'group', csr: 'csr', attributePrefix: 'attr.' } as const;

const groupPattern = new RegExp(thingGroupNamePattern);
const csrPemPattern = new RegExp(csrPemMarker);

/** One data row, checked. `row` is its 1-based number among the data rows (the header is not counted). */
export interface DeviceImportRow {
  readonly row: number;
  readonly name: string;
  readonly deviceId?: string;
  readonly group?: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The device's own CSR (PEM); without it the API makes the key pair. */
  readonly certificateSigningRequest?: string;
}

/** A row that cannot be registered as written; it is reported failed with ValidationError. */
export interface DeviceImportRowProblem {
  readonly row: number;
  readonly message: string;
}

export interface ParsedDeviceImport {
  readonly rows: readonly DeviceImportRow[];
  readonly problems: readonly DeviceImportRowProblem[];
}

/** A problem of the whole file (no header, no `name` column, too many rows, broken quoting): 400. */
export class DeviceImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceImportFileError';
  }
}

/** Parses and checks a device import file; throws DeviceImportFileError for a problem of the whole file. */
export function parseDeviceImportCsv(text: string): ParsedDeviceImport {
  let records: string[][];
  try {
    records = parseCsvRecords(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new DeviceImportFileError(`The file is not valid CSV: ${err.message}`);
    throw err;
  }
  const [header, ...data] = records;
  if (!header) throw new DeviceImportFileError('The file is empty; expected a header line naming the columns (at least "name")');
  const columns = header.map((c) => c.trim());
  checkHeader(columns);
  if (data.length === 0) throw new DeviceImportFileError('The file has a header but no rows');
  if (data.length > deviceImportLimits.maxRows) {
    throw new DeviceImportFileError(`The file has ${data.length} rows; one import takes at most ${deviceImportLimits.maxRows}`);
  }
  const rows: DeviceImportRow[] = [];
  const problems: DeviceImportRowProblem[] = [];
  data.forEach((fields, index) => {
    const checked = checkRow(columns, fields, index + 1);
    if ('message' in checked) problems.push(checked);
    else rows.push(checked);
  });
  return { rows, problems };
}

function checkHeader(columns: readonly string[]): void {
  const known = new Set<string>(Object.values(deviceImportColumns));
  const unknown = columns.filter((c) => !known.has(c) && !c.startsWith(deviceImportColumns.attributePrefix));
  if (unknown.length > 0) {
    throw new DeviceImportFileError(
      `Unknown column(s) ${unknown.map((c) => JSON.stringify(c)).join(', ')}; expected name, deviceId, group, csr and attr.<key> columns`,
    );
  }
  if (!columns.includes(deviceImportColumns.name)) throw new DeviceImportFileError('The header has no "name" column; it is required');
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (repeated.length > 0) throw new DeviceImportFileError(`Column ${JSON.stringify(repeated[0])} appears twice in the header`);
  const attributes = columns.filter((c) => c.startsWith(deviceImportColumns.attributePrefix));
  if (attributes.length > deviceImportLimits.maxAttributes) {
    throw new DeviceImportFileError(`${attributes.length} attr.<key> columns; at most ${deviceImportLimits.maxAttributes}`);
  }
  for (const column of attributes) {
    const key = column.slice(deviceImportColumns.attributePrefix.length);
    if (!thingAttributeKeyPattern.test(key) || isPlatformThingAttribute(key)) {
      throw new DeviceImportFileError(
        `Column ${JSON.stringify(column)}: an attribute key is 1–128 of A–Z a–z 0–9 _ . , @ / : # - and not "owner" or "name"`,
      );
    }
  }
}

function checkRow(columns: readonly string[], fields: readonly string[], row: number): DeviceImportRow | DeviceImportRowProblem {
  if (fields.length !== columns.length) {
    return { row, message: `row ${row} has ${fields.length} fields; the header has ${columns.length}` };
  }
  const cell = (column: string) => (fields[columns.indexOf(column)] ?? '').trim();
  const name = cell(deviceImportColumns.name);
  if (name === '' || name.length > deviceLimits.maxNameLength) {
    return { row, message: `row ${row}: name must be 1–${deviceLimits.maxNameLength} characters` };
  }
  const deviceId = cell(deviceImportColumns.deviceId);
  if (deviceId !== '' && !deviceIdPattern.test(deviceId)) {
    return { row, message: `row ${row}: deviceId ${JSON.stringify(deviceId.slice(0, 80))} must match ${deviceIdPattern.source}` };
  }
  const group = cell(deviceImportColumns.group);
  if (group !== '' && !groupPattern.test(group)) {
    return { row, message: `row ${row}: group ${JSON.stringify(group.slice(0, 80))} must match ${thingGroupNamePattern}` };
  }
  const csr = cell(deviceImportColumns.csr);
  if (csr !== '') {
    if (csr.length > deviceCertificateLimits.maxCsrLength || !csrPemPattern.test(csr)) {
      return {
        row,
        message: `row ${row}: csr must be a PEM certificate signing request of at most ${deviceCertificateLimits.maxCsrLength} characters`,
      };
    }
    if (deviceId === '')
      return { row, message: `row ${row}: a row with a csr names its deviceId (the CSR's subject must be CN=<deviceId>)` };
  }
  const attributes: Record<string, string> = {};
  for (const column of columns.filter((c) => c.startsWith(deviceImportColumns.attributePrefix))) {
    const value = cell(column);
    if (value === '') continue;
    if (!thingAttributeValuePattern.test(value)) {
      return { row, message: `row ${row}: ${column} may hold only A–Z a–z 0–9 _ . , @ / : # = [ ] - (at most 800)` };
    }
    attributes[column.slice(deviceImportColumns.attributePrefix.length)] = value;
  }
  return {
    row,
    name,
    ...(deviceId ? { deviceId } : {}),
    ...(group ? { group } : {}),
    attributes,
    ...(csr ? { certificateSigningRequest: csr } : {}),
  };
}

export const deviceImportStatuses = ['running', 'succeeded', 'failed', 'interrupted'] as const;
export const deviceImportOutcomes = ['created', 'existing', 'failed'] as const;

export const DeviceImportCountsSchema = Type.Object({
  total: Type.Integer({ minimum: 0, description: 'Data rows in the file' }),
  done: Type.Integer({ minimum: 0, description: 'Rows with an outcome so far' }),
  created: Type.Integer({ minimum: 0 }),
  existing: Type.Integer({ minimum: 0, description: 'Already registered with the same name: nothing new was made' }),
  failed: Type.Integer({ minimum: 0 }),
});

export const DeviceImportRowResultSchema = Type.Object({
  row: Type.Integer({ minimum: 1, description: 'Data row number, 1-based, the header not counted' }),
  name: Type.String({ maxLength: deviceLimits.maxNameLength }),
  deviceId: Type.Optional(DeviceIdSchema),
  outcome: Type.Enum(deviceImportOutcomes),
  code: Type.Optional(Type.String({ maxLength: 64, description: 'Error code (error-codes.ts) of a failed row' })),
  message: Type.Optional(Type.String({ maxLength: 1024 })),
});
export type DeviceImportRowResult = Static<typeof DeviceImportRowResultSchema>;

export const DeviceImportJobSchema = Type.Object({
  importId: Type.String({ maxLength: 64 }),
  status: Type.Enum(deviceImportStatuses, {
    description: '`interrupted`: the task running it stopped; import the same file again to finish (rows done are `existing`)',
  }),
  createdAt: Type.String({ format: 'date-time', maxLength: 40 }),
  createdBy: Type.String({ maxLength: 128 }),
  finishedAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
  counts: DeviceImportCountsSchema,
  groups: Type.Array(Type.String({ maxLength: 128 }), { description: 'Thing groups named by the file' }),
  credentialsAvailable: Type.Boolean({ description: 'The credentials archive can be downloaded (once, within the hour, from this task)' }),
});
export type DeviceImportJob = Static<typeof DeviceImportJobSchema>;

export const DeviceImportAnswerSchema = Type.Object({
  job: DeviceImportJobSchema,
  results: Type.Array(DeviceImportRowResultSchema, { description: 'This page of row results: failed rows first, then by row' }),
  nextOffset: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type DeviceImportAnswer = Static<typeof DeviceImportAnswerSchema>;

export const DeviceImportQuerySchema = Type.Object({
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: deviceImportLimits.maxResultsPage, default: 100 })),
});

/** The JSON form of the upload: the CSV text in a field, for clients that send JSON only. */
export const DeviceImportJsonBodySchema = Type.Object({ csv: Type.String({ minLength: 1, maxLength: deviceImportLimits.maxBytes }) });

export const deviceImportPaths = {
  imports: '/api/device-imports',
  one: (importId: string) => `/api/device-imports/${encodeURIComponent(importId)}`,
  credentials: (importId: string) => `/api/device-imports/${encodeURIComponent(importId)}/credentials`,
} as const;
