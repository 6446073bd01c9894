import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addCertificate } from './certificates.ts';
import { attachPolicy, attachThingPrincipal, detachThingPrincipal } from './attachments.ts';
import { createPolicy } from './policies.ts';
import { createRegistryContext, type RegistryContext } from './registry-context.ts';
import { openRegistryStore } from './registry-store.ts';
import { addThingToThingGroup, createThingGroup, removeThingFromThingGroup } from './thing-groups.ts';
import { createThing, deleteThing, updateThing } from './things.ts';
import { accountId, allowAll, issuedCertificate, region } from './registry-test-context.ts';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'registry-store-'));
  file = join(dir, 'registry.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = (): RegistryContext => createRegistryContext({ store: openRegistryStore(file), region, accountId });

describe('the registry store', () => {
  it('finds every change again after a reopen: records, attachments, memberships and deletions', () => {
    const first = open();
    createPolicy(first, 'devices', allowAll);
    createThingGroup(first, { thingGroupName: 'plant-a' });
    for (const name of ['a', 'b', 'c']) {
      createThing(first, { thingName: name, attributes: { site: 'x' } });
      const certificate = addCertificate(first, issuedCertificate(), true);
      attachPolicy(first, 'devices', certificate.certificateArn);
      attachThingPrincipal(first, name, certificate.certificateArn);
      addThingToThingGroup(first, 'plant-a', name);
    }
    updateThing(first, { thingName: 'a', attributes: { site: 'y' }, merge: true });
    removeThingFromThingGroup(first, 'plant-a', 'b');
    const [principalOfC] = first.state.thingPrincipals.c ?? [];
    detachThingPrincipal(first, 'c', principalOfC as string);
    deleteThing(first, 'c');

    const second = open();
    expect(second.state).toEqual(first.state);
    expect(second.state.things.a?.attributes).toEqual({ site: 'y' });
    expect(second.state.thingGroupMembers['plant-a']).toEqual(['a']);
    expect(second.state.things.c).toBeUndefined();
    expect(second.state.policyTargets.devices).toHaveLength(3);
  });

  it('drops a torn last line (a crash mid-write) and keeps every whole change before it', async () => {
    const first = open();
    createThing(first, { thingName: 'kept' });
    // What a crash in the middle of the next append leaves: part of a line, no newline.
    await appendFile(`${file}.journal`, '[{"m":"things","k":"torn","v":{"thingName":"to');

    const second = open();
    expect(Object.keys(second.state.things)).toEqual(['kept']);
    createThing(second, { thingName: 'after' });
    expect(Object.keys(open().state.things).sort()).toEqual(['after', 'kept']);
  });

  it('refuses a whole journal line that is not JSON (corruption, not a crash), naming the file', async () => {
    await writeFile(`${file}.journal`, 'not json\n');
    expect(() => open()).toThrow(/registry\.json\.journal line 1 is not JSON/);
  });

  it('folds the journal into the snapshot once it outgrows it, and a reopen finds the same state', async () => {
    const context = open();
    createPolicy(context, 'devices', allowAll);
    // ≈ 1.6 KiB a certificate (its PEM): 1,500 of them pass the 1 MiB floor of a compaction.
    for (let i = 0; i < 1500; i++) {
      const certificate = addCertificate(context, { ...issuedCertificate(), certificatePem: 'x'.repeat(1600) }, true);
      attachPolicy(context, 'devices', certificate.certificateArn);
    }
    const snapshot = await stat(file);
    const journal = await stat(`${file}.journal`);
    expect(snapshot.size).toBeGreaterThan(1024 * 1024);
    expect(journal.size).toBeLessThan(snapshot.size);
    expect(open().state).toEqual(context.state);
  });

  it('replays a journal the snapshot already holds (a crash between the snapshot and the truncation) to the same state', async () => {
    const context = open();
    createThingGroup(context, { thingGroupName: 'g' });
    createThing(context, { thingName: 'a' });
    addThingToThingGroup(context, 'g', 'a');
    const journal = await readFile(`${file}.journal`);
    await writeFile(file, JSON.stringify(context.state));
    await writeFile(`${file}.journal`, journal);
    expect(open().state).toEqual(context.state);
  });

  it('keeps records and attributes named __proto__, constructor and toString, from the journal and from a snapshot alone', async () => {
    const names = ['__proto__', 'constructor', 'toString'];
    const context = open();
    for (const name of names) {
      createPolicy(context, name, allowAll);
      createThingGroup(context, { thingGroupName: name });
      createThing(context, { thingName: name, attributes: Object.fromEntries([[name, 'v']]) });
      addThingToThingGroup(context, name, name);
    }
    const expectNames = (reopened: RegistryContext) => {
      for (const map of [reopened.state.things, reopened.state.policies, reopened.state.thingGroups]) {
        expect(Object.keys(map).sort()).toEqual([...names].sort());
      }
      for (const name of names) {
        expect(Object.entries(reopened.state.things[name]?.attributes ?? {})).toEqual([[name, 'v']]);
        expect(reopened.state.thingGroupMembers[name]).toEqual([name]);
      }
    };
    expectNames(open());
    // What a compaction writes (the state as JSON), with no journal left.
    await writeFile(file, JSON.stringify(context.state));
    await rm(`${file}.journal`);
    expectNames(open());
  });

  it('holds 10,000 things with a certificate each, attached to one policy and one group, across a reopen', () => {
    const context = open();
    createPolicy(context, 'devices', allowAll);
    createThingGroup(context, { thingGroupName: 'batch' });
    for (let i = 0; i < 10_000; i++) {
      const thingName = `device-${i}`;
      createThing(context, { thingName });
      const certificate = addCertificate(context, issuedCertificate(), true);
      attachPolicy(context, 'devices', certificate.certificateArn);
      attachThingPrincipal(context, thingName, certificate.certificateArn);
      addThingToThingGroup(context, 'batch', thingName);
    }
    const reopened = open();
    expect(Object.keys(reopened.state.things)).toHaveLength(10_000);
    expect(Object.keys(reopened.state.certificates)).toHaveLength(10_000);
    expect(reopened.state.policyTargets.devices).toHaveLength(10_000);
    expect(reopened.state.thingGroupMembers.batch).toHaveLength(10_000);
  }, 120_000);
});
