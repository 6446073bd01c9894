/**
 * Runs a device import: each row goes through the same steps as a single registration (a thing,
 * an active certificate with the device policy, the registry item: `iot-provisioning.ts`), then
 * into its thing group, `deviceImportLimits.concurrency` rows at a time. The file is done in parts
 * of `partRows` rows; each part's results and the job's counts are written when the part is done,
 * so a reader sees progress and a stopped task leaves a truthful record.
 *
 * Idempotent: a row whose device is already registered with the same name is `existing` (it is put
 * in its group again, nothing else); a row without `deviceId` gets `deviceIdFromName`, so the same
 * file imported twice makes no device twice. Two rows of one file naming the same device: the
 * second fails (Conflict) rather than racing the first.
 */
import { AddThingToThingGroupCommand, CreateThingGroupCommand } from '@aws-sdk/client-iot';
import {
  deviceImportLimits,
  mapWithLimit,
  type DeviceImportRow,
  type DeviceImportRowResult,
  type ErrorCode,
  type ParsedDeviceImport,
} from '@fleet/core';
import type { Logger } from 'pino';
import { awsErrorName, type ApiClients } from '../aws-clients.ts';
import { deviceIdFromName } from '../devices/device-id.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import { registerDevice } from '../devices/device-registration.ts';
import type { IotProvisioning } from '../devices/iot-provisioning.ts';
import { ApiError } from '../errors.ts';
import type { ImportCredentials } from './import-credentials.ts';
import type { ImportStore, StoredImport } from './import-store.ts';

/** Rows per part: a result item of ≈ 15 KB, and a progress step of 1 % of a full file. */
export const partRows = 100;

export interface ImportOwner {
  readonly sub: string;
  readonly username: string;
}

export interface ImportRunnerDeps {
  readonly registry: DeviceRegistry;
  readonly provisioning: IotProvisioning;
  readonly iot: ApiClients['iot'];
  readonly store: ImportStore;
  readonly credentials: ImportCredentials;
  /** Tells the device index of a device this task put in a group. */
  readonly addedToGroup: (group: string, deviceId: string) => void;
  readonly logger: Logger;
}

type Outcome = Omit<DeviceImportRowResult, 'row' | 'name' | 'deviceId'>;

const failed = (code: ErrorCode, message: string): Outcome => ({ outcome: 'failed', code, message: message.slice(0, 1024) });

export function createImportRunner(deps: ImportRunnerDeps) {
  const { registry, provisioning, iot, store, credentials, logger } = deps;

  /** A row's unexpected failure as a result: the API's own errors as they are, AWS's by name, anything else hidden (logged). */
  function failure(row: DeviceImportRow, err: unknown): Outcome {
    if (err instanceof ApiError) return failed(err.code, err.message);
    const name = awsErrorName(err);
    if (name === 'ThrottlingException') return failed('ServiceUnavailable', 'AWS IoT throttled the call: import the file again');
    if (name === 'InvalidRequestException' || name === 'LimitExceededException') return failed('Conflict', (err as Error).message);
    logger.error({ err, row: row.row }, 'device import row failed');
    return failed('InternalError', 'Internal server error');
  }

  async function register(importId: string, owner: ImportOwner, row: DeviceImportRow, deviceId: string): Promise<Outcome> {
    const existing = await registry.get(deviceId);
    if (existing) {
      if (existing.name !== row.name) {
        return failed('DeviceExists', `Device "${deviceId}" is registered with another name (${JSON.stringify(existing.name)})`);
      }
      await joinGroup(row, deviceId);
      return { outcome: 'existing' };
    }
    const registered = await registerDevice(
      { registry, provisioning },
      {
        deviceId,
        name: row.name,
        owner,
        attributes: row.attributes,
        ...(row.certificateSigningRequest ? { certificateSigningRequest: row.certificateSigningRequest } : {}),
      },
    );
    if (!registered.ok && registered.reason === 'thing-exists')
      return failed('DeviceExists', `An IoT thing named "${deviceId}" already exists`);
    // Registered meanwhile (another import of the same file): judged as an existing device.
    if (!registered.ok) return register(importId, owner, row, deviceId);
    const { certificateId, certificatePem, privateKey } = registered.device;
    // A row without a CSR got a key pair made for it, whose private key is answered once; a CSR's key stays on its device.
    if (privateKey === undefined && !row.certificateSigningRequest)
      throw new Error(`the registration of ${deviceId} answered no private key`);
    credentials.add(importId, {
      deviceId,
      name: row.name,
      ...(row.group ? { group: row.group } : {}),
      certificateId,
      certificatePem,
      ...(privateKey === undefined ? {} : { privateKey }),
    });
    await joinGroup(row, deviceId);
    return { outcome: 'created' };
  }

  async function joinGroup(row: DeviceImportRow, deviceId: string): Promise<void> {
    if (!row.group) return;
    await iot.send(new AddThingToThingGroupCommand({ thingGroupName: row.group, thingName: deviceId }));
    deps.addedToGroup(row.group, deviceId);
  }

  /** The file's groups, created when missing (CreateThingGroup answers 200 for an existing group with the same attributes). */
  async function ensureGroups(groups: readonly string[]): Promise<void> {
    for (const thingGroupName of groups) {
      try {
        await iot.send(new CreateThingGroupCommand({ thingGroupName }));
      } catch (err) {
        // A group made elsewhere with attributes of its own: it exists, which is all the import needs.
        if (awsErrorName(err) !== 'ResourceAlreadyExistsException') throw err;
      }
    }
  }

  /** Runs a stored import to its end; never rejects (a failure of the whole job is recorded as status `failed`). */
  async function run(stored: StoredImport, owner: ImportOwner, parsed: ParsedDeviceImport): Promise<void> {
    let job: StoredImport['job'] = stored.job;
    const { importId } = job;
    const count = (results: readonly DeviceImportRowResult[]) => {
      const counts = { ...job.counts, done: job.counts.done + results.length };
      for (const r of results) counts[r.outcome] += 1;
      job = { ...job, counts };
    };
    try {
      await ensureGroups(job.groups);
      const problems: DeviceImportRowResult[] = parsed.problems.map((p) => ({
        row: p.row,
        name: '',
        ...failed('ValidationError', p.message),
      }));
      const firstRowOf = new Map<string, number>();
      for (let part = 0; part * partRows < Math.max(parsed.rows.length, 1); part++) {
        const rows = parsed.rows.slice(part * partRows, (part + 1) * partRows);
        const results = await mapWithLimit(rows, deviceImportLimits.concurrency, async (row): Promise<DeviceImportRowResult> => {
          const deviceId = row.deviceId ?? deviceIdFromName(row.name);
          const base = { row: row.row, name: row.name, deviceId };
          const first = firstRowOf.get(deviceId);
          if (first !== undefined) return { ...base, ...failed('Conflict', `Device "${deviceId}" is also in row ${first}`) };
          firstRowOf.set(deviceId, row.row);
          return { ...base, ...(await register(importId, owner, row, deviceId).catch((err: unknown) => failure(row, err))) };
        });
        const partResults = part === 0 ? [...problems, ...results] : results;
        count(partResults);
        const finished = (part + 1) * partRows >= parsed.rows.length;
        if (finished) job = { ...job, status: 'succeeded', finishedAt: new Date().toISOString() };
        await store.savePart(importId, part, partResults, job);
      }
      logger.info({ importId, ...job.counts }, 'device import finished');
    } catch (err) {
      logger.error({ err, importId }, 'device import failed');
      job = { ...job, status: 'failed', finishedAt: new Date().toISOString() };
      await store.savePart(importId, Number.MAX_SAFE_INTEGER, [], job).catch((e: unknown) => {
        logger.error({ err: e, importId }, 'device import: its failure could not be recorded (it will read as interrupted)');
      });
    }
  }

  return { run };
}

export type ImportRunner = ReturnType<typeof createImportRunner>;

/** A new job's record for a parsed file. */
export function newImportJob(importId: string, createdBy: string, parsed: ParsedDeviceImport): StoredImport['job'] {
  return {
    importId,
    status: 'running',
    createdAt: new Date().toISOString(),
    createdBy,
    counts: { total: parsed.rows.length + parsed.problems.length, done: 0, created: 0, existing: 0, failed: 0 },
    groups: [...new Set(parsed.rows.flatMap((r) => (r.group ? [r.group] : [])))].sort(),
  };
}
