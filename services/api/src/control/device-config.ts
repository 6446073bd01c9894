/**
 * A device's configuration is its classic AWS IoT Device Shadow: `desired` is what operators set,
 * `reported` what the device says it applied, and the shadow's `delta` what is still pending
 * (https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-document.html). The same
 * calls answer on AWS (AWS's own shadow service) and locally (the local cloud's stand-in).
 */
import { DeleteThingShadowCommand, GetThingShadowCommand, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import type { DeviceConfig, DeviceConfigChange, ShadowDocument, ShadowJsonObject, ShadowUpdateRequest } from '@fleet/core';
import { awsErrorName, isResourceNotFound, type ApiClients } from '../aws-clients.ts';
import { apiError } from '../errors.ts';

export interface DeviceConfigStore {
  get(deviceId: string): Promise<DeviceConfig>;
  change(deviceId: string, change: DeviceConfigChange): Promise<DeviceConfig>;
  /** Deletes the shadow of a revoked device; a device that never had one is fine. */
  remove(deviceId: string): Promise<void>;
}

export function createDeviceConfigStore(iotData: ApiClients['iotData']): DeviceConfigStore {
  const read = async (deviceId: string): Promise<DeviceConfig> => {
    try {
      const answer = await iotData.send(new GetThingShadowCommand({ thingName: deviceId }));
      return configOfShadow(deviceId, parseShadow(answer.payload));
    } catch (err) {
      // No shadow yet: nothing desired, nothing reported.
      if (isResourceNotFound(err)) return configOfShadow(deviceId, {});
      throw err;
    }
  };
  return {
    get: read,
    async change(deviceId, change) {
      const document: ShadowUpdateRequest = {
        // The API's schema took a JSON object; the shadow checks its values (size, depth, nulls in arrays).
        state: { desired: change.desired as ShadowJsonObject },
        ...(change.expectedVersion === undefined ? {} : { version: change.expectedVersion }),
      };
      try {
        await iotData.send(
          new UpdateThingShadowCommand({ thingName: deviceId, payload: new TextEncoder().encode(JSON.stringify(document)) }),
        );
      } catch (err) {
        throw shadowRefusal(err, change.expectedVersion) ?? err;
      }
      // The update's answer holds only what changed; the whole configuration is one read away.
      return read(deviceId);
    },
    async remove(deviceId) {
      try {
        await iotData.send(new DeleteThingShadowCommand({ thingName: deviceId }));
      } catch (err) {
        if (!isResourceNotFound(err)) throw err;
      }
    },
  };
}

/** The configuration view of a shadow document. */
export function configOfShadow(deviceId: string, shadow: Partial<ShadowDocument>): DeviceConfig {
  const desiredAt = latestTimestamp(shadow.metadata?.desired);
  const reportedAt = latestTimestamp(shadow.metadata?.reported);
  return {
    deviceId,
    version: shadow.version ?? 0,
    desired: shadow.state?.desired ?? {},
    reported: shadow.state?.reported ?? {},
    pending: shadow.state?.delta ?? {},
    ...(desiredAt === undefined ? {} : { desiredAt: new Date(desiredAt * 1000).toISOString() }),
    ...(reportedAt === undefined ? {} : { reportedAt: new Date(reportedAt * 1000).toISOString() }),
  };
}

/** The newest `timestamp` (epoch seconds) of a shadow's metadata tree: one per leaf value. */
function latestTimestamp(metadata: unknown): number | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  let latest: number | undefined;
  for (const [key, value] of Object.entries(metadata)) {
    const candidate = key === 'timestamp' && typeof value === 'number' ? value : latestTimestamp(value);
    if (candidate !== undefined && (latest === undefined || candidate > latest)) latest = candidate;
  }
  return latest;
}

function parseShadow(payload: Uint8Array | undefined): Partial<ShadowDocument> {
  if (!payload || payload.length === 0) return {};
  return JSON.parse(new TextDecoder().decode(payload)) as Partial<ShadowDocument>;
}

/** AWS's shadow refusals in the API's closed set of codes, or undefined for faults. */
function shadowRefusal(err: unknown, expectedVersion: number | undefined) {
  const message = err instanceof Error ? err.message : String(err);
  switch (awsErrorName(err)) {
    case 'ConflictException':
      return apiError(
        'ConfigVersionConflict',
        `The configuration changed since version ${expectedVersion ?? '?'}: read it again (${message})`,
      );
    case 'RequestEntityTooLargeException':
      return apiError('PayloadTooLarge', `The device's configuration would exceed the shadow's size limit (${message})`);
    case 'InvalidRequestException':
      return apiError('ValidationError', `The shadow refused the change: ${message}`);
    default:
      return undefined;
  }
}
