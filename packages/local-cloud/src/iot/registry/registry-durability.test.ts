/**
 * Durability of the IoT registry against an abrupt stop: the IoT stand-in runs in a child process
 * that is killed with SIGKILL right after its last answer, then restarted on the same data folder:
 * every acknowledged thing, certificate, attachment and membership is there.
 */
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DescribeCertificateCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListThingPrincipalsCommand,
  ListThingsInThingGroupCommand,
} from '@aws-sdk/client-iot';
import { expect, it } from 'vitest';
import { iotServerChildren } from '../../testing/iot-server-child.ts';

const children = iotServerChildren('iot-registry-durability-');
const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] });

it('after kill -9 and restart, every acknowledged registration step is there', async () => {
  const first = await children.start();
  const control = new IoTClient(first.clientConfig);
  await control.send(new CreatePolicyCommand({ policyName: 'devices', policyDocument: allowAll }));
  await control.send(new CreateThingGroupCommand({ thingGroupName: 'batch' }));
  const things = Array.from({ length: 40 }, (_, i) => `durable-${i}`);
  // Concurrent registrations, as a bulk import makes them.
  const certificates = await Promise.all(
    things.map(async (thingName) => {
      await control.send(new CreateThingCommand({ thingName, attributePayload: { attributes: { batch: '1' } } }));
      const { certificateArn, certificateId } = await control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      await control.send(new AttachPolicyCommand({ policyName: 'devices', target: certificateArn }));
      await control.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn }));
      await control.send(new AddThingToThingGroupCommand({ thingGroupName: 'batch', thingName }));
      return { thingName, certificateArn: certificateArn as string, certificateId: certificateId as string };
    }),
  );
  first.child.process.kill('SIGKILL');
  await first.child.exited;
  control.destroy();

  const second = await children.start();
  const after = new IoTClient(second.clientConfig);
  const { things: members = [] } = await after.send(new ListThingsInThingGroupCommand({ thingGroupName: 'batch', maxResults: 250 }));
  expect(members.sort()).toEqual([...things].sort());
  for (const { thingName, certificateArn, certificateId } of certificates) {
    const { principals } = await after.send(new ListThingPrincipalsCommand({ thingName }));
    expect(principals).toEqual([certificateArn]);
    const { policies = [] } = await after.send(new ListAttachedPoliciesCommand({ target: certificateArn }));
    expect(policies.map((p) => p.policyName)).toEqual(['devices']);
    const { certificateDescription } = await after.send(new DescribeCertificateCommand({ certificateId }));
    expect(certificateDescription?.status).toBe('ACTIVE');
  }
  after.destroy();
  await second.child.close();
});
