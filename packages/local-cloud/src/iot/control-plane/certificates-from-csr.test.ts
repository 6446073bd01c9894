/**
 * Contract of CreateCertificateFromCsr and ListCertificates through `@aws-sdk/client-iot`, with
 * requests made by `openssl req`, and the AWS CLI v1 (botocore's restJson1 serializer) as a client
 * nobody here wrote. The certificate it answers connects over mutual TLS with the device's own key.
 */
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreateThingCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  UpdateCertificateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { devicePolicyName } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAwsError } from '../../testing/aws-error-expectation.ts';
import { accountId, createFleetPolicies, region, startFixture, type Fixture } from '../../testing/iot-fixture.ts';
import { connectTls } from '../../testing/mqtt-test-client.ts';
import { opensslCsr, type OpensslCsr } from '../../testing/openssl-csr.ts';

const run = promisify(execFile);
const awsCliInstalled = await run('aws', ['--version']).then(
  () => true,
  () => false,
);
if (!awsCliInstalled) console.warn('certificates-from-csr: the AWS CLI is missing; skipping its interop test.');

let fixture: Fixture;
let control: IoTClient;
const csrs: OpensslCsr[] = [];
beforeAll(async () => {
  fixture = await startFixture();
  control = fixture.control;
});
afterAll(async () => {
  await fixture.close();
  await Promise.all(csrs.map((c) => rm(c.dir, { recursive: true, force: true })));
});

async function csr(subject: string, key?: Parameters<typeof opensslCsr>[1]): Promise<OpensslCsr> {
  const made = await opensslCsr(subject, key);
  csrs.push(made);
  return made;
}

describe('CreateCertificateFromCsr', () => {
  it("signs an openssl RSA request: the CA's certificate for the request's key and subject, ACTIVE with setAsActive", async () => {
    const request = await csr('/CN=csr-device-1/O=Maker');
    const created = await control.send(
      new CreateCertificateFromCsrCommand({ certificateSigningRequest: request.csrPem, setAsActive: true }),
    );
    expect(created.certificateArn).toBe(`arn:aws:iot:${region}:${accountId}:cert/${created.certificateId}`);
    const cert = new X509Certificate(created.certificatePem as string);
    expect(cert.fingerprint256.replace(/:/g, '').toLowerCase()).toBe(created.certificateId);
    expect(cert.verify(new X509Certificate(fixture.iot.caCertificatePem).publicKey)).toBe(true);
    expect(cert.subject).toContain('CN=csr-device-1');
    expect(cert.checkPrivateKey(createPrivateKey(request.privateKeyPem))).toBe(true);
    const described = await control.send(new DescribeCertificateCommand({ certificateId: created.certificateId }));
    expect(described.certificateDescription?.status).toBe('ACTIVE');
  });

  it('signs an EC P-256 request, INACTIVE without setAsActive', async () => {
    const request = await csr('/CN=csr-device-ec', 'ec');
    const created = await control.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: request.csrPem }));
    const described = await control.send(new DescribeCertificateCommand({ certificateId: created.certificateId }));
    expect(described.certificateDescription?.status).toBe('INACTIVE');
  });

  it('refuses a request that is no CSR, a 1024-bit RSA key and an empty body with InvalidRequestException 400', async () => {
    await expectAwsError(
      control.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: 'not a csr' })),
      'InvalidRequestException',
      400,
    );
    const weak = await csr('/CN=weak', 'rsa:1024');
    await expectAwsError(
      control.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: weak.csrPem })),
      'InvalidRequestException',
      400,
    );
    await expectAwsError(
      control.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: undefined })),
      'InvalidRequestException',
      400,
    );
  });

  it('connects over mutual TLS with the certificate and the key that never left the device', async () => {
    await createFleetPolicies(control);
    const request = await csr('/CN=csr-tls');
    const created = await control.send(
      new CreateCertificateFromCsrCommand({ certificateSigningRequest: request.csrPem, setAsActive: true }),
    );
    await control.send(new CreateThingCommand({ thingName: 'csr-tls' }));
    await control.send(new AttachPolicyCommand({ policyName: devicePolicyName, target: created.certificateArn }));
    await control.send(new AttachThingPrincipalCommand({ thingName: 'csr-tls', principal: created.certificateArn }));
    const identity = { certificatePem: created.certificatePem as string, privateKeyPem: request.privateKeyPem };
    const client = await connectTls(fixture.iot.mqttPort, fixture.iot.caCertificatePem, identity, 'csr-tls');
    expect(client.connected).toBe(true);
    await client.endAsync();
  });
});

describe('ListCertificates', () => {
  it('lists every certificate with its status, pages with marker, newest first when descending', async () => {
    const request = await csr('/CN=listed');
    const created = await control.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: request.csrPem }));
    await control.send(new UpdateCertificateCommand({ certificateId: created.certificateId, newStatus: 'REVOKED' }));
    const all = [];
    let marker: string | undefined;
    do {
      const page = await control.send(new ListCertificatesCommand({ pageSize: 2, ...(marker ? { marker } : {}) }));
      expect(page.certificates?.length).toBeLessThanOrEqual(2);
      all.push(...(page.certificates ?? []));
      marker = page.nextMarker;
    } while (marker);
    expect(all.find((c) => c.certificateId === created.certificateId)).toMatchObject({
      certificateArn: created.certificateArn,
      status: 'REVOKED',
      certificateMode: 'DEFAULT',
    });
    expect(new Set(all.map((c) => c.certificateId)).size).toBe(all.length);
    const newest = await control.send(new ListCertificatesCommand({ pageSize: 1, ascendingOrder: false }));
    expect(newest.certificates?.[0]?.certificateId).toBe(created.certificateId);
    expect(newest.certificates?.[0]?.creationDate).toBeInstanceOf(Date);
  });
});

describe.skipIf(!awsCliInstalled)('aws iot create-certificate-from-csr (AWS CLI v1)', () => {
  it('signs the file:// request and answers the certificate the SDK then describes', async () => {
    const request = await csr('/CN=cli-device');
    const home = await mkdtemp(join(tmpdir(), 'iot-cli-'));
    try {
      const { stdout } = await run(
        'aws',
        [
          '--endpoint-url',
          fixture.endpointUrl,
          '--region',
          region,
          '--output',
          'json',
          'iot',
          'create-certificate-from-csr',
          '--certificate-signing-request',
          `file://${request.csrFile}`,
          '--set-as-active',
        ],
        { env: { PATH: process.env.PATH, HOME: home, AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local-secret' } },
      );
      const created = JSON.parse(stdout) as { certificateId: string; certificateArn: string; certificatePem: string };
      expect(created.certificateArn).toBe(`arn:aws:iot:${region}:${accountId}:cert/${created.certificateId}`);
      const described = await control.send(new DescribeCertificateCommand({ certificateId: created.certificateId }));
      expect(described.certificateDescription).toMatchObject({ status: 'ACTIVE', certificatePem: created.certificatePem });
      expect(await readFile(request.csrFile, 'utf8')).toContain('CERTIFICATE REQUEST');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
