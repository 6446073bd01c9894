/**
 * Contract test of the static thing groups through `@aws-sdk/client-iot`, as AWS IoT answers them.
 */
import {
  AddThingToThingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DeleteThingCommand,
  DeleteThingGroupCommand,
  DescribeThingGroupCommand,
  ListThingGroupsCommand,
  ListThingGroupsForThingCommand,
  ListThingsInThingGroupCommand,
  RemoveThingFromThingGroupCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountId, region, startFixture, type Fixture } from '../../testing/iot-fixture.ts';
import { expectAwsError } from '../../testing/aws-error-expectation.ts';

let fixture: Fixture;
let control: IoTClient;
beforeAll(async () => {
  fixture = await startFixture();
  control = fixture.control;
  for (const thingName of ['g-t1', 'g-t2', 'g-t3']) await control.send(new CreateThingCommand({ thingName }));
});
afterAll(async () => {
  await fixture.close();
});

describe('thing groups', () => {
  it('creates a group hierarchy and describes a child with its parents', async () => {
    const root = await control.send(new CreateThingGroupCommand({ thingGroupName: 'site' }));
    expect(root).toMatchObject({ thingGroupName: 'site', thingGroupArn: `arn:aws:iot:${region}:${accountId}:thinggroup/site` });
    expect(root.thingGroupId).toMatch(/^[0-9a-f-]{36}$/);
    await control.send(
      new CreateThingGroupCommand({
        thingGroupName: 'floor-1',
        parentGroupName: 'site',
        thingGroupProperties: { thingGroupDescription: 'first floor', attributePayload: { attributes: { level: '1' } } },
      }),
    );
    const described = await control.send(new DescribeThingGroupCommand({ thingGroupName: 'floor-1' }));
    expect(described).toMatchObject({
      thingGroupName: 'floor-1',
      version: 1,
      thingGroupProperties: { thingGroupDescription: 'first floor', attributePayload: { attributes: { level: '1' } } },
      thingGroupMetadata: { parentGroupName: 'site', rootToParentThingGroups: [{ groupName: 'site', groupArn: root.thingGroupArn }] },
    });
    expect(described.thingGroupMetadata?.creationDate).toBeInstanceOf(Date);
  });

  it('succeeds again for the same group, refuses a different one, an unknown parent and an unknown group', async () => {
    await control.send(new CreateThingGroupCommand({ thingGroupName: 'site' }));
    await expectAwsError(
      control.send(new CreateThingGroupCommand({ thingGroupName: 'site', parentGroupName: 'floor-1' })),
      'ResourceAlreadyExistsException',
      409,
    );
    await expectAwsError(
      control.send(new CreateThingGroupCommand({ thingGroupName: 'orphan', parentGroupName: 'nope' })),
      'ResourceNotFoundException',
      404,
    );
    await expectAwsError(control.send(new DescribeThingGroupCommand({ thingGroupName: 'nope' })), 'ResourceNotFoundException', 404);
  });

  it('adds things (by name or ARN), lists them, recursively too, and the groups of a thing', async () => {
    await control.send(new AddThingToThingGroupCommand({ thingGroupName: 'site', thingName: 'g-t1' }));
    await control.send(
      new AddThingToThingGroupCommand({
        thingGroupArn: `arn:aws:iot:${region}:${accountId}:thinggroup/floor-1`,
        thingArn: `arn:aws:iot:${region}:${accountId}:thing/g-t2`,
      }),
    );
    // Adding again succeeds.
    await control.send(new AddThingToThingGroupCommand({ thingGroupName: 'site', thingName: 'g-t1' }));
    expect((await control.send(new ListThingsInThingGroupCommand({ thingGroupName: 'site' }))).things).toEqual(['g-t1']);
    expect((await control.send(new ListThingsInThingGroupCommand({ thingGroupName: 'site', recursive: true }))).things).toEqual([
      'g-t1',
      'g-t2',
    ]);
    expect((await control.send(new ListThingGroupsForThingCommand({ thingName: 'g-t2' }))).thingGroups).toEqual([
      { groupName: 'floor-1', groupArn: `arn:aws:iot:${region}:${accountId}:thinggroup/floor-1` },
    ]);
    await expectAwsError(
      control.send(new AddThingToThingGroupCommand({ thingGroupName: 'site', thingName: 'no-such-thing' })),
      'ResourceNotFoundException',
      404,
    );
  });

  it('lists groups by parent and prefix, page by page', async () => {
    const all = await control.send(new ListThingGroupsCommand({}));
    expect(all.thingGroups?.map((g) => g.groupName)).toEqual(['floor-1', 'site']);
    const children = await control.send(new ListThingGroupsCommand({ parentGroup: 'site' }));
    expect(children.thingGroups?.map((g) => g.groupName)).toEqual(['floor-1']);
    const first = await control.send(new ListThingGroupsCommand({ maxResults: 1, namePrefixFilter: '' }));
    expect(first.thingGroups).toHaveLength(1);
    const second = await control.send(new ListThingGroupsCommand({ maxResults: 1, nextToken: first.nextToken }));
    expect(second.thingGroups?.map((g) => g.groupName)).toEqual(['site']);
    expect(second.nextToken).toBeUndefined();
  });

  it('removes a thing; deleting a thing forgets its memberships; a parent with children cannot be deleted', async () => {
    await control.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'site', thingName: 'g-t1' }));
    expect((await control.send(new ListThingsInThingGroupCommand({ thingGroupName: 'site' }))).things).toEqual([]);
    await control.send(new AddThingToThingGroupCommand({ thingGroupName: 'site', thingName: 'g-t3' }));
    await control.send(new DeleteThingCommand({ thingName: 'g-t3' }));
    expect((await control.send(new ListThingsInThingGroupCommand({ thingGroupName: 'site' }))).things).toEqual([]);
    await expectAwsError(control.send(new DeleteThingGroupCommand({ thingGroupName: 'site' })), 'InvalidRequestException', 400);
    await expectAwsError(
      control.send(new DeleteThingGroupCommand({ thingGroupName: 'floor-1', expectedVersion: 7 })),
      'VersionConflictException',
      409,
    );
    await control.send(new DeleteThingGroupCommand({ thingGroupName: 'floor-1' }));
    await control.send(new DeleteThingGroupCommand({ thingGroupName: 'site' }));
    // Deleting a group that does not exist succeeds.
    await control.send(new DeleteThingGroupCommand({ thingGroupName: 'site' }));
    expect((await control.send(new ListThingGroupsCommand({}))).thingGroups).toEqual([]);
  });
});
