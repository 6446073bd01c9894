/**
 * The device index of one API task: every registered device with its state, kept in memory so the
 * device list can search, filter, sort and page on the server (`device-query.ts`).
 *
 * Why in memory: DynamoDB cannot sort or search a Scan, and a GSI per sort order would still not
 * search names nor join the Data Service's presence. AWS IoT fleet indexing (`SearchIndex`) would,
 * but it is a paid add-on per thing and per update, and the local cloud has no stand-in for it.
 * At 10,000 devices the registry is about 3 MB: a task holds it easily, and filtering and sorting
 * it takes milliseconds.
 *
 * What a user sees (consistency):
 * - the registry is read by a strongly consistent parallel Scan when the list is asked for and the
 *   copy is older than `registryMaxAgeMs`; registrations, revocations and group additions made
 *   through **this** task apply at once. Another task's registration shows up within
 *   `registryMaxAgeMs` (tasks share nothing but the table).
 * - presence and latest values come from the Data Service in bulk (100 devices a call) and are at
 *   most `statesMaxAgeMs` old when fresh; between that and `staleServeMs` a request is answered from
 *   the older copy while one refresh runs behind it, so no user waits for 10,000 states twice.
 * - a thing group's members (ListThingsInThingGroup) are at most `groupMaxAgeMs` old.
 * - thing attributes (ListThings, `thing-attributes.ts`) are at most `attributesMaxAgeMs` old when
 *   fresh, served stale like the states up to `staleServeMs`; after a registration through this
 *   task the next list waits for a new read, so a device registered with attributes is found by
 *   them at once. An UpdateThing made elsewhere (the AWS CLI) shows within `attributesMaxAgeMs`.
 * - devices provisioned by claim are adopted into the registry at each registry read
 *   (claimed-device-adoption.ts): they show up within `registryMaxAgeMs` of their RegisterThing.
 * - one device read for its view (`record`, GET /api/devices/:id, polled by the device page and
 *   dashboard widgets) is at most `registryMaxAgeMs` old, as in the list: from the registry copy
 *   when it is that fresh, else from a GetItem kept that long. A device this copy does not know is
 *   always read from the table, so a registration elsewhere shows at once; this task's own writes
 *   apply at once; a revocation or certificate change made through another task shows within
 *   `registryMaxAgeMs`.
 */
import { ListThingsInThingGroupCommand } from '@aws-sdk/client-iot';
import { chunk, deviceLimits, mapWithLimit, type DeviceRecord, type DeviceState, type DeviceView, type ThingAttributes } from '@fleet/core';
import type { Logger } from 'pino';
import type { ApiClients } from '../aws-clients.ts';
import { isResourceNotFound } from '../aws-clients.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';
import type { DeviceRegistry } from './device-registry.ts';
import { deviceView } from './device-views.ts';
import { claimedDeviceToAdopt, claimedDevicesToAdopt } from './claimed-device-adoption.ts';
import { listThingAttributes } from './thing-attributes.ts';

export interface DeviceIndex {
  /**
   * Every registered device joined with its state (see the freshness above); with `scope`, only the
   * devices a scoped caller may reach (auth/device-scope.ts), their states read with that caller's token.
   */
  devices(accessToken: string, scope?: IndexScope): Promise<readonly DeviceView[]>;
  /** The devices directly in a thing group; empty for a group that does not exist. */
  membersOf(group: string): Promise<ReadonlySet<string>>;
  /** The registry with its writes applied to the index at once. */
  readonly registry: DeviceRegistry;
  /** A registered device for a read of its view, at most `registryMaxAgeMs` old (see above); undefined when not registered. */
  record(deviceId: string): Promise<DeviceRecord | undefined>;
  /** A device this task added to a group. */
  addedToGroup(group: string, deviceId: string): void;
  /** A thing's attributes this task changed: the next list reads them again. */
  attributesChanged(): void;
}

/** A scoped caller's view of the index: `key` names their access (callers with the same grants share states). */
export interface IndexScope {
  readonly key: string;
  readonly ids: ReadonlySet<string>;
}

export interface DeviceIndexOptions {
  readonly registryMaxAgeMs?: number;
  readonly statesMaxAgeMs?: number;
  readonly staleServeMs?: number;
  readonly groupMaxAgeMs?: number;
  readonly attributesMaxAgeMs?: number;
  readonly now?: () => number;
}

/** Thing groups whose members are kept. */
const maxCachedGroups = 1000;

/** Scoped accesses whose states are kept (each is a few thousand states at most). */
const maxCachedScopes = 100;

/** Devices read one at a time (`record`) whose item is kept; a fleet's worth, about 300 bytes each. */
const maxRecentRecords = 10_000;

/** Data Service calls in flight while the states of the whole fleet are read. */
const stateConcurrency = 4;

interface Snapshot<T> {
  readonly at: number;
  readonly value: T;
}

/**
 * A value refreshed on demand, one load at a time; served stale (with a refresh behind) up to
 * `staleMs`. After `invalidate()` the next `get()` waits for a load that started after it.
 */
function cached<T>(load: () => Promise<T>, freshMs: number, staleMs: number, now: () => number, onError: (err: unknown) => void) {
  let snapshot: (Snapshot<T> & { generation: number }) | undefined;
  let loading: Promise<Snapshot<T>> | undefined;
  let loadingGeneration = 0;
  let generation = 0;
  const refresh = () => {
    const startedAt = now();
    if (loading && loadingGeneration === generation) return loading;
    const started = generation;
    loadingGeneration = started;
    const current = load().then(
      (value) => {
        if (loading === current) loading = undefined;
        const loaded = { at: startedAt, value, generation: started };
        // A load overtaken by a later one (started after an invalidation) does not replace its answer.
        if (!snapshot || snapshot.generation <= started) snapshot = loaded;
        return loaded;
      },
      (err: unknown) => {
        if (loading === current) loading = undefined;
        throw err;
      },
    );
    loading = current;
    return current;
  };
  return {
    async get(): Promise<T> {
      if (snapshot && snapshot.generation !== generation) return (await refresh()).value;
      const age = snapshot ? now() - snapshot.at : Infinity;
      if (snapshot && age <= freshMs) return snapshot.value;
      if (snapshot && age <= staleMs) {
        refresh().catch(onError);
        return snapshot.value;
      }
      return (await refresh()).value;
    },
    current: () => snapshot?.value,
    invalidate() {
      generation++;
    },
  };
}

export function createDeviceIndex(deps: {
  registry: DeviceRegistry;
  dataService: DataServiceClient;
  iot: ApiClients['iot'];
  logger: Logger;
  options?: DeviceIndexOptions;
}): DeviceIndex {
  const { dataService, iot, logger } = deps;
  const o = deps.options ?? {};
  const now = o.now ?? Date.now;
  const registryMaxAgeMs = o.registryMaxAgeMs ?? 10_000;
  const statesMaxAgeMs = o.statesMaxAgeMs ?? 5_000;
  const staleServeMs = o.staleServeMs ?? 60_000;
  const groupMaxAgeMs = o.groupMaxAgeMs ?? 10_000;
  const attributesMaxAgeMs = o.attributesMaxAgeMs ?? 10_000;
  const logError = (what: string) => (err: unknown) => logger.warn({ err }, `device index: ${what} refresh failed`);

  /** This task's own writes, by time: re-applied over a Scan that started before them. */
  const ownWrites = new Map<string, { at: number; record: DeviceRecord | undefined }>();
  const records = new Map<string, DeviceRecord>();
  /** Bumped by every change of `records`. */
  let registryVersion = 0;
  let joined:
    | {
        states: ReadonlyMap<string, DeviceState>;
        attributes: ReadonlyMap<string, ThingAttributes>;
        version: number;
        views: readonly DeviceView[];
      }
    | undefined;
  let registryAt = -Infinity;
  let registryLoading: Promise<void> | undefined;
  const loadRegistry = () =>
    (registryLoading ??= (async () => {
      const startedAt = now();
      try {
        const scanned = await deps.registry.scanAll();
        records.clear();
        for (const r of scanned) records.set(r.deviceId, r);
        await adoptClaimedDevices().catch(logError('claimed devices adoption'));
        for (const [deviceId, write] of ownWrites) {
          if (write.at < startedAt) ownWrites.delete(deviceId);
          else if (write.record) records.set(deviceId, write.record);
          else records.delete(deviceId);
        }
        registryAt = startedAt;
        registryVersion++;
      } finally {
        registryLoading = undefined;
      }
    })());
  const attributes = cached(() => listThingAttributes(iot), attributesMaxAgeMs, staleServeMs, now, logError('thing attributes'));
  /** Things provisioned by claim join the registry here (claimed-device-adoption.ts). */
  const adoptClaimedDevices = async () => {
    for (const record of await claimedDevicesToAdopt(iot, records, now)) {
      if (await deps.registry.create(record)) {
        logger.info({ deviceId: record.deviceId }, 'device provisioned by claim adopted into the registry');
        attributes.invalidate();
      }
      records.set(record.deviceId, (await deps.registry.get(record.deviceId)) ?? record);
    }
  };
  /** Items read one at a time by `record`, with when their read started. */
  const recent = new Map<string, { at: number; record: DeviceRecord }>();
  const ownWrite = (deviceId: string, record: DeviceRecord | undefined) => {
    const at = now();
    ownWrites.set(deviceId, { at, record });
    registryVersion++;
    if (record) records.set(deviceId, record);
    else records.delete(deviceId);
    if (record) recent.set(deviceId, { at, record });
    else recent.delete(deviceId);
  };

  /** The states of these devices, asked in pages with a token (the Data Service authorizes every call). */
  const loadStates = async (ids: readonly string[], token: string) => {
    const answers = await mapWithLimit(chunk(ids, deviceLimits.maxPage), stateConcurrency, (page) => dataService.deviceStates(page, token));
    return new Map<string, DeviceState>(answers.flat().map((s) => [s.deviceId, s]));
  };
  // Whose token reads the states: the caller's. Every caller who may reach every device sees the
  // same states, so one copy serves them all; a scoped caller's token reads only their devices at
  // the Data Service, so their states are kept apart, per access.
  let statesToken = '';
  const states = cached(() => loadStates([...records.keys()], statesToken), statesMaxAgeMs, staleServeMs, now, logError('states'));
  interface ScopedStates {
    token: string;
    ids: ReadonlySet<string>;
    readonly states: { get(): Promise<ReadonlyMap<string, DeviceState>> };
  }
  const scoped = new Map<string, ScopedStates>();
  const scopedStates = (scope: IndexScope, token: string) => {
    let entry = scoped.get(scope.key);
    if (!entry) {
      if (scoped.size >= maxCachedScopes) scoped.clear();
      const fresh: ScopedStates = {
        token,
        ids: scope.ids,
        // Reads the scope's latest ids and token at each refresh.
        states: cached(
          () =>
            loadStates(
              [...fresh.ids].filter((id) => records.has(id)),
              fresh.token,
            ),
          statesMaxAgeMs,
          staleServeMs,
          now,
          logError('scoped states'),
        ),
      };
      entry = fresh;
      scoped.set(scope.key, entry);
    }
    entry.token = token;
    entry.ids = scope.ids;
    return entry.states.get();
  };

  const groups = new Map<string, ReturnType<typeof cached<Set<string>>>>();
  const loadMembers = async (group: string) => {
    const members = new Set<string>();
    let nextToken: string | undefined;
    do {
      let page;
      try {
        page = await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: group, maxResults: 250, nextToken }));
      } catch (err) {
        if (isResourceNotFound(err)) return members;
        throw err;
      }
      for (const name of page.things ?? []) members.add(name);
      nextToken = page.nextToken;
    } while (nextToken);
    return members;
  };
  const groupOf = (group: string) => {
    let entry = groups.get(group);
    if (!entry) {
      // Groups are few (made by hand), but the name comes from the query string: the map stays bounded.
      if (groups.size >= maxCachedGroups) groups.clear();
      entry = cached(() => loadMembers(group), groupMaxAgeMs, groupMaxAgeMs, now, logError('group'));
      groups.set(group, entry);
    }
    return entry;
  };

  const registry: DeviceRegistry = {
    ...deps.registry,
    /** A device provisioned by claim and not adopted yet is adopted when it is asked for. */
    async get(deviceId) {
      const found = await deps.registry.get(deviceId);
      if (found) return found;
      const claimed = await claimedDeviceToAdopt(iot, deviceId, now).catch((err: unknown) => {
        logger.warn({ err, deviceId }, 'device index: adoption of a claimed device failed');
        return undefined;
      });
      if (!claimed) return undefined;
      if (await deps.registry.create(claimed)) {
        ownWrite(deviceId, claimed);
        attributes.invalidate();
      }
      return (await deps.registry.get(deviceId)) ?? claimed;
    },
    async create(record) {
      const stored = await deps.registry.create(record);
      if (stored) {
        ownWrite(record.deviceId, record);
        // Its thing was created with attributes a list filter may name at once.
        attributes.invalidate();
      }
      return stored;
    },
    async remove(deviceId) {
      await deps.registry.remove(deviceId);
      ownWrite(deviceId, undefined);
    },
    async changeCertificates(deviceId, expectedVersion, change) {
      const changed = await deps.registry.changeCertificates(deviceId, expectedVersion, change);
      if (typeof changed === 'object') ownWrite(deviceId, changed);
      return changed;
    },
  };

  return {
    async record(deviceId) {
      const startedAt = now();
      if (startedAt - registryAt <= registryMaxAgeMs) {
        const known = records.get(deviceId);
        if (known) return known;
      }
      const kept = recent.get(deviceId);
      if (kept && startedAt - kept.at <= registryMaxAgeMs) return kept.record;
      const found = await registry.get(deviceId);
      // A write of this task since the read started is newer than what the read found.
      const own = ownWrites.get(deviceId);
      if (own && own.at >= startedAt) return own.record;
      if (found) {
        if (recent.size >= maxRecentRecords) recent.clear();
        recent.set(deviceId, { at: startedAt, record: found });
      }
      return found;
    },
    async devices(accessToken, scope) {
      if (now() - registryAt > registryMaxAgeMs) await loadRegistry();
      const thingAttributes = await attributes.get();
      if (scope) {
        const known = await scopedStates(scope, accessToken);
        return [...scope.ids].flatMap((id) => {
          const record = records.get(id);
          return record ? [deviceView(record, known.get(id), thingAttributes.get(id))] : [];
        });
      }
      statesToken = accessToken;
      const known = await states.get();
      // Joined once per change of any side, not per request.
      if (joined?.states !== known || joined.attributes !== thingAttributes || joined.version !== registryVersion) {
        joined = {
          states: known,
          attributes: thingAttributes,
          version: registryVersion,
          views: [...records.values()].map((r) => deviceView(r, known.get(r.deviceId), thingAttributes.get(r.deviceId))),
        };
      }
      return joined.views;
    },
    membersOf: (group) => groupOf(group).get(),
    addedToGroup(group, deviceId) {
      groups.get(group)?.current()?.add(deviceId);
    },
    attributesChanged: () => attributes.invalidate(),
    registry,
  };
}
