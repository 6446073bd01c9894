/**
 * Contract test through `@aws-sdk/client-iot`: things, thing groups, policies and thing attributes
 * named like members of `Object.prototype` (`__proto__`, `constructor`, `toString`) are names like
 * any other, in memory and after a restart from the registry's store (snapshot and journal). AWS IoT
 * allows all three as thing, group and policy names (`[a-zA-Z0-9:_-]+`, `[\w+=,.@-]+`) and as
 * attribute keys (`[a-zA-Z0-9_.,@/:#-]+`).
 */
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListPoliciesCommand,
  ListThingGroupsCommand,
  ListThingGroupsForThingCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  ListThingsInThingGroupCommand,
  UpdateThingCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../../testing/iot-fixture.ts';

const names = ['__proto__', 'constructor', 'toString'] as const;
const policyDocument = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] });

let fixture: Fixture;
const certificateOf = new Map<string, string>();
beforeAll(async () => {
  fixture = await startFixture();
  const control = fixture.control;
  for (const name of names) {
    await control.send(
      new CreateThingCommand({ thingName: name, attributePayload: { attributes: { [name]: `${name}-value`, site: 'lyon' } } }),
    );
    await control.send(
      new CreateThingGroupCommand({ thingGroupName: name, thingGroupProperties: { attributePayload: { attributes: { [name]: 'g' } } } }),
    );
    await control.send(new CreatePolicyCommand({ policyName: name, policyDocument }));
    const { certificateArn = '' } = await control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    certificateOf.set(name, certificateArn);
    await control.send(new AttachPolicyCommand({ policyName: name, target: certificateArn }));
    await control.send(new AttachThingPrincipalCommand({ thingName: name, principal: certificateArn }));
    await control.send(new AddThingToThingGroupCommand({ thingGroupName: name, thingName: name }));
  }
  // A plain thing: it has none of these attributes, whatever its prototype has.
  await control.send(new CreateThingCommand({ thingName: 'plain', attributePayload: { attributes: { site: 'lyon' } } }));
});
afterAll(async () => {
  await fixture.close();
});

async function expectEveryNameThere(control: IoTClient): Promise<void> {
  for (const name of names) {
    const thing = await control.send(new DescribeThingCommand({ thingName: name }));
    expect(thing.thingName).toBe(name);
    expect(thing.attributes).toEqual({ [name]: `${name}-value`, site: 'lyon' });
    const group = await control.send(new DescribeThingGroupCommand({ thingGroupName: name }));
    expect(group.thingGroupName).toBe(name);
    expect(group.thingGroupProperties?.attributePayload?.attributes).toEqual({ [name]: 'g' });
    const policy = await control.send(new GetPolicyCommand({ policyName: name }));
    expect(policy.policyName).toBe(name);
    const certificateArn = certificateOf.get(name);
    expect((await control.send(new ListThingPrincipalsCommand({ thingName: name }))).principals).toEqual([certificateArn]);
    expect((await control.send(new ListAttachedPoliciesCommand({ target: certificateArn }))).policies?.map((p) => p.policyName)).toEqual([
      name,
    ]);
    expect((await control.send(new ListThingsInThingGroupCommand({ thingGroupName: name }))).things).toEqual([name]);
    expect((await control.send(new ListThingGroupsForThingCommand({ thingName: name }))).thingGroups?.map((g) => g.groupName)).toEqual([
      name,
    ]);
    // ListThings by an attribute named after an Object member finds the one thing that has it.
    const byAttribute = await control.send(new ListThingsCommand({ attributeName: name }));
    expect(byAttribute.things?.map((t) => t.thingName)).toEqual([name]);
  }
  const things = (await control.send(new ListThingsCommand({}))).things?.map((t) => t.thingName);
  expect(things).toEqual(expect.arrayContaining([...names, 'plain']));
  expect(things).toHaveLength(names.length + 1);
  const groups = (await control.send(new ListThingGroupsCommand({}))).thingGroups?.map((g) => g.groupName);
  expect(groups).toEqual(expect.arrayContaining([...names]));
  const policies = (await control.send(new ListPoliciesCommand({}))).policies?.map((p) => p.policyName);
  expect(policies).toEqual(expect.arrayContaining([...names]));
}

describe('names that are members of Object.prototype', () => {
  it('creates, reads and lists things, thing groups and policies named __proto__, constructor and toString', async () => {
    await expectEveryNameThere(fixture.control);
  });

  it('updates a thing attribute named __proto__ (merge) and removes one named constructor', async () => {
    const control = fixture.control;
    // Built from entries: `{ __proto__: 'p' }` written as a literal would set the prototype, not a key.
    const attributes = (entries: [string, string][]) => Object.fromEntries(entries);
    const update = (entries: [string, string][]) =>
      control.send(new UpdateThingCommand({ thingName: 'plain', attributePayload: { attributes: attributes(entries), merge: true } }));
    const described = async () => (await control.send(new DescribeThingCommand({ thingName: 'plain' }))).attributes;
    await update([
      ['__proto__', 'p'],
      ['constructor', 'c'],
    ]);
    expect(Object.entries((await described()) ?? {}).sort()).toEqual([
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['site', 'lyon'],
    ]);
    await update([['constructor', '']]);
    expect(Object.entries((await described()) ?? {}).sort()).toEqual([
      ['__proto__', 'p'],
      ['site', 'lyon'],
    ]);
    await update([['__proto__', '']]);
    expect(await described()).toEqual({ site: 'lyon' });
  });

  it('finds every one of them again after a restart from the store', async () => {
    fixture = await fixture.restart();
    await expectEveryNameThere(fixture.control);
  });
});
