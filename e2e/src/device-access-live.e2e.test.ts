/**
 * Access by group in the Data Service's reads and live MQTT (issue 12), over real processes: two
 * thing groups with a device each; a viewer granted group A (the user pool group `thing-group:A`)
 * connects as the browser does. A's readings reach them after storing, on A's group topic; B's
 * group topic and B's device's own topic are refused at SUBACK and deliver nothing, though another
 * user granted A and B receives them; the Data Service answers the viewer for B's device as for a
 * device it knows nothing about. When the grant moves to B and the user's IoT policy is rewritten,
 * A's readings stop on the connection already open, and B's may be subscribed to. In Chromium, the
 * viewer's device page of B's device shows a reading live, from B's group topic.
 */
import { AddThingToThingGroupCommand, CreateThingGroupCommand, IoTClient } from '@aws-sdk/client-iot';
import {
  AdminAddUserToGroupCommand,
  AdminRemoveUserFromGroupCommand,
  CreateGroupCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { grantGroupName, topics } from '@fleet/core';
import { subscribeGranted } from '@fleet/local-cloud/testing';
import { cognitoClient, createFleetApi, signIn, type RegisteredDevice } from '@fleet/simulator';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLikeTheBrowser, type BrowserLiveConnection } from './browser-live-client.ts';
import { hasChromium, launchChromium, signIn as signInPage } from './browser-session.ts';
import { saveScreenshot } from './page-checks.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { publishReadings } from './device-publish.ts';
import { connectDevice, createAdmin, createUser, waitForStored, type FleetUser } from './fleet-user.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

/** Messages received on a live connection, by topic, as seq numbers. */
function recordSeqs(client: MqttClient): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  client.on('message', (topic, payload) => {
    const { seq } = JSON.parse(payload.toString()) as { seq: number };
    seen.set(topic, [...(seen.get(topic) ?? []), seq]);
  });
  return seen;
}

async function until(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(deployedEndpointsFile)('access by group: Data Service reads and live MQTT', () => {
  let platform: PlatformProcess;
  let admin: FleetUser;
  let cognito: CognitoIdentityProviderClient;
  let iot: IoTClient;
  const suffix = Date.now().toString(36);
  const groupA = `line-a-${suffix}`;
  const groupB = `line-b-${suffix}`;
  let deviceA: RegisteredDevice;
  let deviceB: RegisteredDevice;
  /** The viewer granted A (later B), and a watcher granted both: the proof that B's (later A's) readings were re-published. */
  let viewer: FleetUser;
  let watcher: FleetUser;
  const live: BrowserLiveConnection[] = [];

  const grant = (user: FleetUser, group: string) =>
    cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: platform.endpoints.userPoolId, Username: user.email, GroupName: grantGroupName(group) }),
    );
  /** Signed in again: the token carries the groups of the pool now. */
  const refreshed = async (user: FleetUser): Promise<FleetUser> => {
    const tokens = await signIn(platform.endpoints, user.email, user.password);
    return { ...user, tokens, api: createFleetApi(platform.endpoints, tokens) };
  };
  const dataRead = (user: FleetUser, path: string) =>
    fetch(new URL(`/data${path}`, platform.endpoints.gatewayUrl), { headers: { authorization: `Bearer ${user.tokens.accessToken}` } });

  beforeAll(async () => {
    platform = await startPlatformProcess();
    const credentials = await platform.credentials();
    cognito = cognitoClient(platform.endpoints, credentials);
    iot = new IoTClient({ region: platform.endpoints.region, endpoint: platform.endpoints.awsEndpoint, credentials });
    admin = await createAdmin(platform);
    [deviceA, deviceB] = await Promise.all([admin.api.registerDevice('e2e group a'), admin.api.registerDevice('e2e group b')]);
    for (const [group, device] of [
      [groupA, deviceA],
      [groupB, deviceB],
    ] as const) {
      await iot.send(new CreateThingGroupCommand({ thingGroupName: group }));
      await iot.send(new AddThingToThingGroupCommand({ thingGroupName: group, thingName: device.device.deviceId }));
      await cognito.send(new CreateGroupCommand({ UserPoolId: platform.endpoints.userPoolId, GroupName: grantGroupName(group) }));
    }
    [viewer, watcher] = await Promise.all([createUser(platform, { role: 'viewer' }), createUser(platform, { role: 'viewer' })]);
    await Promise.all([grant(viewer, groupA), grant(watcher, groupA), grant(watcher, groupB)]);
    [viewer, watcher] = await Promise.all([refreshed(viewer), refreshed(watcher)]);
  }, 120_000);

  afterAll(async () => {
    for (const c of live) await c.client.endAsync(true).catch(() => undefined);
    cognito?.destroy();
    iot?.destroy();
    await platform?.stop();
  }, 60_000);

  it("delivers A's readings and none of B's, refuses B's topics at SUBACK, and reads B's device as an unknown one", async () => {
    const mine = await connectLikeTheBrowser(platform.endpoints.gatewayUrl, viewer);
    const theirs = await connectLikeTheBrowser(platform.endpoints.gatewayUrl, watcher);
    live.push(mine, theirs);
    expect(mine.access).toEqual({ kind: 'groups', groups: [groupA] });
    const seen = recordSeqs(mine.client);
    const seenByWatcher = recordSeqs(theirs.client);
    const idA = deviceA.device.deviceId;
    const idB = deviceB.device.deviceId;

    expect(await subscribeGranted(mine.client, topics.groupTelemetryFilter(groupA), 0)).toEqual([0]);
    expect(await subscribeGranted(mine.client, topics.groupTelemetryFilter(groupB), 0)).toEqual([128]);
    expect(await subscribeGranted(mine.client, topics.telemetry(idB), 0)).toEqual([128]);
    expect(await subscribeGranted(theirs.client, topics.groupTelemetryFilter(groupA), 0)).toEqual([0]);
    expect(await subscribeGranted(theirs.client, topics.groupTelemetryFilter(groupB), 0)).toEqual([0]);

    const base = Date.now() - 60_000;
    const seqs = [1, 2, 3, 4, 5];
    await Promise.all([publishReadings(platform, deviceA, base, seqs), publishReadings(platform, deviceB, base, seqs)]);
    const stored = await Promise.all([waitForStored(admin, idA, base, base + 10, 5), waitForStored(admin, idB, base, base + 10, 5)]);
    expect(stored.map((r) => r.length)).toEqual([5, 5]);

    // The watcher's B readings prove B's were re-published while the viewer was connected.
    await until("the watcher's readings of A and B", () =>
      [idA, idB].every((id, i) => (seenByWatcher.get(topics.groupTelemetry([groupA, groupB][i] ?? '', id))?.length ?? 0) >= 5),
    );
    await until("the viewer's readings of A", () => (seen.get(topics.groupTelemetry(groupA, idA))?.length ?? 0) >= 5);
    expect(seen.get(topics.groupTelemetry(groupA, idA))?.sort((a, b) => a - b)).toEqual(seqs);
    expect([...seen.keys()]).toEqual([topics.groupTelemetry(groupA, idA)]);

    // The Data Service: A's device readable, B's answered as a device it knows nothing about.
    const [latestA, latestB, unknown] = await Promise.all([
      dataRead(viewer, `/devices/${idA}/latest`),
      dataRead(viewer, `/devices/${idB}/latest`),
      dataRead(viewer, `/devices/e2e-no-such-device/latest`),
    ]);
    expect(latestA.status).toBe(200);
    expect(await latestA.json()).toMatchObject({ deviceId: idA, seq: 5 });
    expect(latestB.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await latestB.json()).toEqual(JSON.parse((await unknown.text()).replaceAll('e2e-no-such-device', idB)));
    expect((await dataRead(watcher, `/devices/${idB}/latest`)).status).toBe(200);
  }, 120_000);

  it("stops A's readings on the open connection once the grant moves to B and the policy is rewritten", async () => {
    const [mine, theirs] = live;
    if (!mine || !theirs) throw new Error('the first test opened no connections');
    const seen = recordSeqs(mine.client);
    const seenByWatcher = recordSeqs(theirs.client);
    const idA = deviceA.device.deviceId;
    const idB = deviceB.device.deviceId;

    await cognito.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: platform.endpoints.userPoolId,
        Username: viewer.email,
        GroupName: grantGroupName(groupA),
      }),
    );
    await grant(viewer, groupB);
    // Live access again (another tab, or the users route's update): the user's policy gets a new default version.
    const answer = await viewer.api.call<{ access: unknown }>('POST', '/api/me/live-access', { idToken: viewer.tokens.idToken });
    expect(answer.access).toEqual({ kind: 'groups', groups: [groupB] });
    expect(await subscribeGranted(mine.client, topics.groupTelemetryFilter(groupB), 0)).toEqual([0]);

    const base = Date.now() - 30_000;
    const seqs = [11, 12, 13];
    await Promise.all([publishReadings(platform, deviceA, base, seqs), publishReadings(platform, deviceB, base, seqs)]);
    await until("the watcher's new readings of A", () => (seenByWatcher.get(topics.groupTelemetry(groupA, idA))?.length ?? 0) >= 3);
    await until("the viewer's readings of B", () => (seen.get(topics.groupTelemetry(groupB, idB))?.length ?? 0) >= 3);
    expect(seen.get(topics.groupTelemetry(groupB, idB))?.sort((a, b) => a - b)).toEqual(seqs);
    // Still subscribed to A's topic, but no longer allowed to receive it.
    expect(seen.get(topics.groupTelemetry(groupA, idA))).toBeUndefined();
  }, 120_000);

  it.skipIf(!hasChromium)(
    "shows the granted group's device live on its page, from the group's re-published topic",
    async () => {
      // The browser takes the viewer's identity over: the connections of the tests above end here.
      for (const c of live.splice(0)) await c.client.endAsync(true);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
        const idB = deviceB.device.deviceId;
        await page.goto(`${platform.endpoints.gatewayUrl}/devices/${idB}`);
        await signInPage(page, viewer.email, viewer.password);
        await expect.poll(() => page.getByTestId('live-state').textContent(), { timeout: 15_000 }).toBe('Live updates on');
        const device = await connectDevice(platform, deviceB);
        await device.publishAsync(topics.telemetry(idB), JSON.stringify({ ts: Date.now(), seq: 500, humidity: 41.5 }), { qos: 1 });
        await device.endAsync();
        // Stored first, then re-published under group B: the page shows it without a reload.
        await expect.poll(() => page.getByTestId('live-value-humidity').textContent(), { timeout: 15_000 }).toContain('41.5');
        // Arrived live (one point in the live chart), not from a reload of the device's latest values.
        expect(await page.getByTestId('live-chart').getAttribute('data-points')).toBe('1');
        await saveScreenshot(page, 'device-access-live-group-device');
      } finally {
        await browser.close();
      }
    },
    120_000,
  );
});
