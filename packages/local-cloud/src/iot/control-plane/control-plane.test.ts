import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeletePolicyCommand,
  DeleteThingCommand,
  DescribeCertificateCommand,
  DescribeEndpointCommand,
  DescribeThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListPoliciesCommand,
  ListPrincipalThingsCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  UpdateCertificateCommand,
  UpdateThingCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountId, region, startFixture, type Fixture } from '../../testing/iot-fixture.ts';

let fixture: Fixture;
let control: IoTClient;
beforeAll(async () => {
  fixture = await startFixture();
  control = fixture.control;
});
afterAll(async () => {
  await fixture.close();
});

const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] });

async function expectAwsError(promise: Promise<unknown>, name: string, status: number): Promise<void> {
  const err = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  expect(err, `expected ${name}`).toBeDefined();
  expect(err?.name).toBe(name);
  expect(err?.$metadata?.httpStatusCode).toBe(status);
}

describe('things', () => {
  it('creates a thing with attributes and describes it', async () => {
    const created = await control.send(
      new CreateThingCommand({ thingName: 'sensor-1', attributePayload: { attributes: { site: 'lyon' } } }),
    );
    expect(created.thingArn).toBe(`arn:aws:iot:${region}:${accountId}:thing/sensor-1`);
    expect(created.thingId).toMatch(/^[0-9a-f-]{36}$/);
    const described = await control.send(new DescribeThingCommand({ thingName: 'sensor-1' }));
    expect(described).toMatchObject({
      thingName: 'sensor-1',
      defaultClientId: 'sensor-1',
      attributes: { site: 'lyon' },
      version: 1,
      thingId: created.thingId,
    });
  });

  it('creating the same thing again with the same configuration succeeds; a different one is a conflict', async () => {
    await control.send(new CreateThingCommand({ thingName: 'sensor-1', attributePayload: { attributes: { site: 'lyon' } } }));
    await expectAwsError(
      control.send(new CreateThingCommand({ thingName: 'sensor-1', attributePayload: { attributes: { site: 'paris' } } })),
      'ResourceAlreadyExistsException',
      409,
    );
  });

  it('refuses an invalid thing name and answers 404 for an unknown thing', async () => {
    await expectAwsError(control.send(new CreateThingCommand({ thingName: 'bad name!' })), 'InvalidRequestException', 400);
    await expectAwsError(control.send(new DescribeThingCommand({ thingName: 'nope' })), 'ResourceNotFoundException', 404);
  });

  it('updates attributes with merge semantics (empty value removes) and checks expectedVersion', async () => {
    await control.send(new CreateThingCommand({ thingName: 'upd-1', attributePayload: { attributes: { a: '1', b: '2' } } }));
    await control.send(
      new UpdateThingCommand({ thingName: 'upd-1', attributePayload: { attributes: { b: '', c: '3' }, merge: true }, expectedVersion: 1 }),
    );
    const described = await control.send(new DescribeThingCommand({ thingName: 'upd-1' }));
    expect(described.attributes).toEqual({ a: '1', c: '3' });
    expect(described.version).toBe(2);
    await expectAwsError(control.send(new UpdateThingCommand({ thingName: 'upd-1', expectedVersion: 1 })), 'VersionConflictException', 409);
  });

  it('lists things page by page with nextToken', async () => {
    for (let i = 0; i < 5; i++)
      await control.send(new CreateThingCommand({ thingName: `page-${i}`, attributePayload: { attributes: { kind: 'paged' } } }));
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await control.send(new ListThingsCommand({ maxResults: 2, attributeName: 'kind', attributeValue: 'paged', nextToken }));
      names.push(...(page.things ?? []).map((t) => t.thingName as string));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(names).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    expect(pages).toBe(3);
  });

  it('deletes a thing, and deleting an unknown thing succeeds as on AWS', async () => {
    await control.send(new CreateThingCommand({ thingName: 'del-1' }));
    await control.send(new DeleteThingCommand({ thingName: 'del-1' }));
    await expectAwsError(control.send(new DescribeThingCommand({ thingName: 'del-1' })), 'ResourceNotFoundException', 404);
    await control.send(new DeleteThingCommand({ thingName: 'never-existed' }));
  });
});

describe('certificates', () => {
  it('creates keys and an ACTIVE certificate issued by the local CA, id = SHA-256 of the DER', async () => {
    const keys = await control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    expect(keys.certificateId).toMatch(/^[0-9a-f]{64}$/);
    expect(keys.certificateArn).toBe(`arn:aws:iot:${region}:${accountId}:cert/${keys.certificateId}`);
    expect(keys.keyPair?.PrivateKey).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect(keys.keyPair?.PublicKey).toMatch(/BEGIN PUBLIC KEY/);
    const cert = new X509Certificate(keys.certificatePem as string);
    expect(cert.fingerprint256.replace(/:/g, '').toLowerCase()).toBe(keys.certificateId);
    expect(cert.verify(new X509Certificate(fixture.iot.caCertificatePem).publicKey)).toBe(true);
    const described = await control.send(new DescribeCertificateCommand({ certificateId: keys.certificateId }));
    expect(described.certificateDescription).toMatchObject({
      status: 'ACTIVE',
      certificateArn: keys.certificateArn,
      certificatePem: keys.certificatePem,
      ownedBy: accountId,
    });
    expect(described.certificateDescription?.creationDate).toBeInstanceOf(Date);
  });

  it('never stores the private key', async () => {
    const keys = await control.send(new CreateKeysAndCertificateCommand({ setAsActive: false }));
    // The change is in the registry's journal until the next compaction folds it into the snapshot.
    const stored = await readFile(join(fixture.dataDir, 'registry.json.journal'), 'utf8');
    const keyBody = (keys.keyPair?.PrivateKey as string).split('\n')[1] as string;
    expect(stored).toContain(keys.certificateId);
    expect(stored).not.toContain(keyBody);
  });

  it('creates INACTIVE without setAsActive, and changes status with UpdateCertificate', async () => {
    const keys = await control.send(new CreateKeysAndCertificateCommand({}));
    const id = keys.certificateId as string;
    expect((await control.send(new DescribeCertificateCommand({ certificateId: id }))).certificateDescription?.status).toBe('INACTIVE');
    await control.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'ACTIVE' }));
    expect((await control.send(new DescribeCertificateCommand({ certificateId: id }))).certificateDescription?.status).toBe('ACTIVE');
    await control.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'REVOKED' }));
    await expectAwsError(
      control.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'ACTIVE' })),
      'CertificateStateException',
      406,
    );
  });

  it('refuses to delete an ACTIVE or attached certificate, then deletes it once detached and inactive', async () => {
    const keys = await control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const id = keys.certificateId as string;
    await control.send(new CreatePolicyCommand({ policyName: 'del-cert-policy', policyDocument: allowAll }));
    await control.send(new AttachPolicyCommand({ policyName: 'del-cert-policy', target: keys.certificateArn }));
    await expectAwsError(control.send(new DeleteCertificateCommand({ certificateId: id })), 'CertificateStateException', 406);
    await control.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'INACTIVE' }));
    await expectAwsError(control.send(new DeleteCertificateCommand({ certificateId: id })), 'DeleteConflictException', 409);
    await control.send(new DetachPolicyCommand({ policyName: 'del-cert-policy', target: keys.certificateArn }));
    await control.send(new DeleteCertificateCommand({ certificateId: id }));
    await expectAwsError(control.send(new DescribeCertificateCommand({ certificateId: id })), 'ResourceNotFoundException', 404);
  });
});

describe('policies', () => {
  it('creates, gets, versions and lists policies with markers', async () => {
    const created = await control.send(new CreatePolicyCommand({ policyName: 'p-a', policyDocument: allowAll }));
    expect(created).toMatchObject({ policyName: 'p-a', policyArn: `arn:aws:iot:${region}:${accountId}:policy/p-a`, policyVersionId: '1' });
    await control.send(new CreatePolicyCommand({ policyName: 'p-b', policyDocument: allowAll }));
    await control.send(new CreatePolicyCommand({ policyName: 'p-c', policyDocument: allowAll }));
    const got = await control.send(new GetPolicyCommand({ policyName: 'p-a' }));
    expect(JSON.parse(got.policyDocument as string)).toEqual(JSON.parse(allowAll));
    expect(got.defaultVersionId).toBe('1');
    const denyAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iot:*', Resource: '*' }] });
    const version = await control.send(new CreatePolicyVersionCommand({ policyName: 'p-a', policyDocument: denyAll, setAsDefault: true }));
    expect(version).toMatchObject({ policyVersionId: '2', isDefaultVersion: true });
    expect((await control.send(new GetPolicyCommand({ policyName: 'p-a' }))).policyDocument).toBe(denyAll);

    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await control.send(new ListPoliciesCommand({ pageSize: 2, marker }));
      names.push(...(page.policies ?? []).map((p) => p.policyName as string));
      marker = page.nextMarker;
    } while (marker);
    expect(names).toEqual(expect.arrayContaining(['p-a', 'p-b', 'p-c']));
    expect(names).toEqual([...names].sort());
  });

  it('refuses a duplicate, a malformed document, and answers 404 for an unknown policy', async () => {
    await control.send(new CreatePolicyCommand({ policyName: 'p-dup', policyDocument: allowAll }));
    await expectAwsError(
      control.send(new CreatePolicyCommand({ policyName: 'p-dup', policyDocument: allowAll })),
      'ResourceAlreadyExistsException',
      409,
    );
    await expectAwsError(
      control.send(new CreatePolicyCommand({ policyName: 'p-bad', policyDocument: '{not json' })),
      'MalformedPolicyException',
      400,
    );
    await expectAwsError(control.send(new GetPolicyCommand({ policyName: 'p-missing' })), 'ResourceNotFoundException', 404);
  });

  it('attaches to a certificate and to a Cognito identity, lists, detaches, and refuses deleting an attached policy', async () => {
    const keys = await control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const identityId = `${region}:0f2a4b1c-1111-2222-3333-444455556666`;
    await control.send(new CreatePolicyCommand({ policyName: 'p-att', policyDocument: allowAll }));
    await control.send(new AttachPolicyCommand({ policyName: 'p-att', target: keys.certificateArn }));
    await control.send(new AttachPolicyCommand({ policyName: 'p-att', target: identityId }));
    const forCert = await control.send(new ListAttachedPoliciesCommand({ target: keys.certificateArn }));
    expect(forCert.policies?.map((p) => p.policyName)).toEqual(['p-att']);
    const forIdentity = await control.send(new ListAttachedPoliciesCommand({ target: identityId }));
    expect(forIdentity.policies?.map((p) => p.policyName)).toEqual(['p-att']);
    await expectAwsError(control.send(new DeletePolicyCommand({ policyName: 'p-att' })), 'DeleteConflictException', 409);
    await control.send(new DetachPolicyCommand({ policyName: 'p-att', target: keys.certificateArn }));
    await control.send(new DetachPolicyCommand({ policyName: 'p-att', target: identityId }));
    expect((await control.send(new ListAttachedPoliciesCommand({ target: identityId }))).policies).toEqual([]);
    await control.send(new DeletePolicyCommand({ policyName: 'p-att' }));
    await expectAwsError(control.send(new DeletePolicyCommand({ policyName: 'p-att' })), 'ResourceNotFoundException', 404);
  });

  // 'p-b' exists (created by the listing test above); 'p-none' never does.
  it.each([
    {
      refused: 'an unknown certificate',
      policyName: 'p-b',
      target: `arn:aws:iot:${region}:${accountId}:cert/${'0'.repeat(64)}`,
      error: 'ResourceNotFoundException',
      status: 404,
    },
    {
      refused: 'an unknown policy',
      policyName: 'p-none',
      target: `${region}:0f2a4b1c-1111-2222-3333-444455556666`,
      error: 'ResourceNotFoundException',
      status: 404,
    },
    {
      refused: 'a target that is no principal',
      policyName: 'p-b',
      target: 'not-a-principal',
      error: 'InvalidRequestException',
      status: 400,
    },
  ])('refuses attaching to $refused', async ({ policyName, target, error, status }) => {
    await expectAwsError(control.send(new AttachPolicyCommand({ policyName, target })), error, status);
  });
});

describe('thing principals', () => {
  it('attaches, lists and detaches a certificate; a thing with principals cannot be deleted', async () => {
    await control.send(new CreateThingCommand({ thingName: 'tp-1' }));
    const keys = await control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    await control.send(new AttachThingPrincipalCommand({ thingName: 'tp-1', principal: keys.certificateArn }));
    expect((await control.send(new ListThingPrincipalsCommand({ thingName: 'tp-1' }))).principals).toEqual([keys.certificateArn]);
    expect((await control.send(new ListPrincipalThingsCommand({ principal: keys.certificateArn }))).things).toEqual(['tp-1']);
    await expectAwsError(control.send(new DeleteThingCommand({ thingName: 'tp-1' })), 'InvalidRequestException', 400);
    await control.send(new DetachThingPrincipalCommand({ thingName: 'tp-1', principal: keys.certificateArn }));
    expect((await control.send(new ListThingPrincipalsCommand({ thingName: 'tp-1' }))).principals).toEqual([]);
    await control.send(new DeleteThingCommand({ thingName: 'tp-1' }));
  });

  it('answers 404 for an unknown thing', async () => {
    await expectAwsError(control.send(new ListThingPrincipalsCommand({ thingName: 'nobody' })), 'ResourceNotFoundException', 404);
    await expectAwsError(
      control.send(new AttachThingPrincipalCommand({ thingName: 'nobody', principal: `${region}:0f2a4b1c-1111-2222-3333-444455556666` })),
      'ResourceNotFoundException',
      404,
    );
  });
});

describe('endpoint and data plane', () => {
  it('describes the ATS data endpoint as the broker host, without a port (as AWS)', async () => {
    expect((await control.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }))).endpointAddress).toBe('127.0.0.1');
    await expectAwsError(control.send(new DescribeEndpointCommand({ endpointType: 'iot:Nope' })), 'InvalidRequestException', 400);
  });

  it('publishes through the data plane into the broker, seen by onMessage', async () => {
    const seen: { topic: string; payload: string; qos: number }[] = [];
    fixture.iot.onMessage((m) => seen.push({ topic: m.topic, payload: m.payload.toString(), qos: m.qos }));
    await fixture.data.send(new PublishCommand({ topic: 'fleet/devices/d1/commands', qos: 1, payload: Buffer.from('{"cmd":"reboot"}') }));
    expect(seen).toContainEqual({ topic: 'fleet/devices/d1/commands', payload: '{"cmd":"reboot"}', qos: 1 });
  });

  it('refuses data-plane publishes to lifecycle topics and oversized payloads', async () => {
    await expectAwsError(
      fixture.data.send(new PublishCommand({ topic: '$aws/events/presence/connected/x', payload: Buffer.from('{}') })),
      'UnauthorizedException',
      401,
    );
    await expectAwsError(
      fixture.data.send(new PublishCommand({ topic: 'a/b', payload: Buffer.alloc(128 * 1024 + 1) })),
      'RequestEntityTooLargeException',
      413,
    );
  });
});

describe('persistence', () => {
  it('keeps things, certificates, policies and attachments across a restart, with the same CA', async () => {
    await control.send(new CreateThingCommand({ thingName: 'persist-1', attributePayload: { attributes: { k: 'v' } } }));
    const keys = await control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    await control.send(new CreatePolicyCommand({ policyName: 'p-persist', policyDocument: allowAll }));
    await control.send(new AttachPolicyCommand({ policyName: 'p-persist', target: keys.certificateArn }));
    await control.send(new AttachThingPrincipalCommand({ thingName: 'persist-1', principal: keys.certificateArn }));
    const caBefore = fixture.iot.caCertificatePem;
    fixture = await fixture.restart();
    control = fixture.control;
    expect(fixture.iot.caCertificatePem).toBe(caBefore);
    expect((await control.send(new DescribeThingCommand({ thingName: 'persist-1' }))).attributes).toEqual({ k: 'v' });
    expect((await control.send(new DescribeCertificateCommand({ certificateId: keys.certificateId }))).certificateDescription?.status).toBe(
      'ACTIVE',
    );
    expect(
      (await control.send(new ListAttachedPoliciesCommand({ target: keys.certificateArn }))).policies?.map((p) => p.policyName),
    ).toEqual(['p-persist']);
    expect((await control.send(new ListThingPrincipalsCommand({ thingName: 'persist-1' }))).principals).toEqual([keys.certificateArn]);
  });
});
