/**
 * Contract of the fleet provisioning template operations through `@aws-sdk/client-iot`: request
 * and answer shapes, versions, AWS's errors (a name in use, unknown templates, a bad body or role,
 * the default version), and durability across a restart.
 */
import {
  CreateProvisioningTemplateCommand,
  CreateProvisioningTemplateVersionCommand,
  DeleteProvisioningTemplateCommand,
  DeleteProvisioningTemplateVersionCommand,
  DescribeProvisioningTemplateCommand,
  DescribeProvisioningTemplateVersionCommand,
  ListProvisioningTemplatesCommand,
  ListProvisioningTemplateVersionsCommand,
  UpdateProvisioningTemplateCommand,
} from '@aws-sdk/client-iot';
import { fleetProvisioningTemplateBody } from '@fleet/core';
import { afterEach, describe, expect, it } from 'vitest';
import { accountId, region, startFixture, type Fixture } from '../../testing/iot-fixture.ts';

const provisioningRoleArn = `arn:aws:iam::${accountId}:role/fleet-provisioning`;
const templateBody = JSON.stringify(fleetProvisioningTemplateBody());

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function failure(call: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  const err = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (!err) throw new Error('the call succeeded');
  return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
}

describe('provisioning templates through @aws-sdk/client-iot', () => {
  it('creates a template and describes it with its body, role, default version and dates', async () => {
    fixture = await startFixture();
    const { control } = fixture;
    const created = await control.send(
      new CreateProvisioningTemplateCommand({
        templateName: 'claim',
        templateBody,
        provisioningRoleArn,
        enabled: true,
        description: 'factory',
      }),
    );
    expect(created).toMatchObject({
      templateArn: `arn:aws:iot:${region}:${accountId}:provisioningtemplate/claim`,
      templateName: 'claim',
      defaultVersionId: 1,
    });
    const described = await control.send(new DescribeProvisioningTemplateCommand({ templateName: 'claim' }));
    expect(described).toMatchObject({
      templateName: 'claim',
      description: 'factory',
      enabled: true,
      provisioningRoleArn,
      defaultVersionId: 1,
      templateBody,
      type: 'FLEET_PROVISIONING',
      creationDate: expect.any(Date),
      lastModifiedDate: expect.any(Date),
    });
    const listed = await control.send(new ListProvisioningTemplatesCommand({}));
    expect(listed.templates?.map((t) => [t.templateName, t.enabled])).toEqual([['claim', true]]);
  });

  it('updates, versions, and deletes a template; the default version cannot be deleted', async () => {
    fixture = await startFixture();
    const { control } = fixture;
    await control.send(new CreateProvisioningTemplateCommand({ templateName: 'claim', templateBody, provisioningRoleArn }));
    expect((await control.send(new DescribeProvisioningTemplateCommand({ templateName: 'claim' }))).enabled).toBe(false);
    await control.send(new UpdateProvisioningTemplateCommand({ templateName: 'claim', enabled: true, description: 'now on' }));
    const second = await control.send(
      new CreateProvisioningTemplateVersionCommand({
        templateName: 'claim',
        templateBody: templateBody.replace('claim', 'factory'),
        setAsDefault: true,
      }),
    );
    expect(second).toMatchObject({ versionId: 2, isDefaultVersion: true });
    const versions = await control.send(new ListProvisioningTemplateVersionsCommand({ templateName: 'claim' }));
    expect(versions.versions?.map((v) => [v.versionId, v.isDefaultVersion])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect((await control.send(new DescribeProvisioningTemplateVersionCommand({ templateName: 'claim', versionId: 1 }))).templateBody).toBe(
      templateBody,
    );
    expect(
      await failure(control.send(new DeleteProvisioningTemplateVersionCommand({ templateName: 'claim', versionId: 2 }))),
    ).toMatchObject({
      name: 'DeleteConflictException',
      status: 409,
    });
    await control.send(new DeleteProvisioningTemplateVersionCommand({ templateName: 'claim', versionId: 1 }));
    const described = await control.send(new DescribeProvisioningTemplateCommand({ templateName: 'claim' }));
    expect(described).toMatchObject({ enabled: true, description: 'now on', defaultVersionId: 2 });
    await control.send(new DeleteProvisioningTemplateCommand({ templateName: 'claim' }));
    expect(await failure(control.send(new DescribeProvisioningTemplateCommand({ templateName: 'claim' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
    });
  });

  it("refuses a name in use, a bad name, a body it cannot run, a malformed role and a Lambda hook, with AWS's errors", async () => {
    fixture = await startFixture();
    const { control } = fixture;
    const create = (input: Partial<ConstructorParameters<typeof CreateProvisioningTemplateCommand>[0]>) =>
      control.send(new CreateProvisioningTemplateCommand({ templateName: 'claim', templateBody, provisioningRoleArn, ...input }));
    await create({});
    expect(await failure(create({}))).toMatchObject({ name: 'ResourceAlreadyExistsException', status: 409 });
    expect(await failure(create({ templateName: 'bad name' }))).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    expect(await failure(create({ templateName: 'b', templateBody: '{"Resources":' }))).toMatchObject({
      name: 'InvalidRequestException',
      message: 'Invalid template body: templateBody is not JSON',
    });
    const unknownRef = JSON.stringify({ Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'Serial' } } } } });
    expect((await failure(create({ templateName: 'c', templateBody: unknownRef }))).message).toMatch(/Ref "Serial" names no parameter/);
    const unknownType = JSON.stringify({ Resources: { q: { Type: 'AWS::SQS::Queue', Properties: {} } } });
    expect((await failure(create({ templateName: 'd', templateBody: unknownType }))).message).toMatch(/Type must be one of/);
    expect(await failure(create({ templateName: 'e', provisioningRoleArn: 'role' }))).toMatchObject({ name: 'InvalidRequestException' });
    const lambda = { targetArn: `arn:aws:lambda:${region}:${accountId}:function:check` };
    expect((await failure(create({ templateName: 'f', preProvisioningHook: lambda }))).message).toMatch(/no Lambda runtime/);
    expect(await failure(control.send(new UpdateProvisioningTemplateCommand({ templateName: 'nope', enabled: true })))).toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('keeps templates across a restart', async () => {
    fixture = await startFixture();
    await fixture.control.send(
      new CreateProvisioningTemplateCommand({ templateName: 'claim', templateBody, provisioningRoleArn, enabled: true }),
    );
    fixture = await fixture.restart();
    const described = await fixture.control.send(new DescribeProvisioningTemplateCommand({ templateName: 'claim' }));
    expect(described).toMatchObject({ templateName: 'claim', enabled: true, templateBody });
  });
});
