/**
 * `GET /api/provisioning`: Fleet's template as DescribeProvisioningTemplate answers it (parameters a
 * device sends told apart from those IoT Core fills in), the claim certificate's topics, a template
 * IoT Core does not have said so rather than failing, and viewers refused.
 */
import { fleetProvisioningTemplateBody, fleetProvisioningTemplateName, type ProvisioningOverview } from '@fleet/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { awsError } from '../test-support/fake-aws-client.ts';
import { asCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

it("answers Fleet's template and the claim certificate's reach to operators", async () => {
  t.iot.on({
    DescribeProvisioningTemplate: () => ({
      templateName: fleetProvisioningTemplateName,
      enabled: true,
      defaultVersionId: 2,
      templateBody: JSON.stringify(fleetProvisioningTemplateBody()),
      lastModifiedDate: new Date('2026-01-02T03:04:05Z'),
    }),
  });
  const answer = await asCaller(t.app, await t.bearer({ groups: ['operator'] })).get('/api/provisioning');
  expect(answer.statusCode).toBe(200);
  expect(answer.json<ProvisioningOverview>()).toEqual({
    template: {
      name: fleetProvisioningTemplateName,
      enabled: true,
      defaultVersionId: 2,
      lastModifiedDate: '2026-01-02T03:04:05.000Z',
      parameters: [
        { name: 'SerialNumber', fromDevice: true },
        { name: 'AWS::IoT::Certificate::Id', fromDevice: false },
      ],
      preProvisioningHook: false,
    },
    claim: {
      policyName: 'fleet-claim',
      topics: [
        '$aws/certificates/create/json',
        '$aws/certificates/create-from-csr/json',
        '$aws/provisioning-templates/fleet-claim/provision/json',
      ],
      thingNamePrefix: 'fleet-',
    },
  });
  expect(t.iot.calls.at(-1)).toEqual({ command: 'DescribeProvisioningTemplate', input: { templateName: fleetProvisioningTemplateName } });
});

it('says the template is not deployed instead of failing, and refuses viewers', async () => {
  t.iot.on({
    DescribeProvisioningTemplate: () => {
      throw awsError('ResourceNotFoundException');
    },
  });
  const answer = await asCaller(t.app, await t.bearer({ groups: ['admin'] })).get('/api/provisioning');
  expect(answer.json<ProvisioningOverview>().template).toEqual({ available: false, reason: 'The template is not deployed' });
  const viewer = await asCaller(t.app, await t.bearer({ groups: ['viewer'] })).get('/api/provisioning');
  expect(viewer.statusCode).toBe(403);
});
