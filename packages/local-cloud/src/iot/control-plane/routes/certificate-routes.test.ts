import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateLocalCa, type LocalCa } from '../../ca/local-ca.ts';
import { testRegistry } from '../../registry/registry-test-context.ts';
import { certificateRoutes } from './certificate-routes.ts';
import { callRoute } from './route-test-kit.ts';

let dir: string;
let ca: LocalCa;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iot-certificate-routes-'));
  ca = await loadOrCreateLocalCa({ dir });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('certificate routes', () => {
  it('POST /keys-and-certificate issues a certificate of the local CA with its key pair, and keeps only the certificate', async () => {
    const registry = testRegistry();
    const created = await callRoute(certificateRoutes(registry, ca), 'POST', '/keys-and-certificate', { query: { setAsActive: 'true' } });
    const json = created.json as { certificateId: string; certificatePem: string; keyPair: { PrivateKey: string } };
    expect(new X509Certificate(json.certificatePem).verify(new X509Certificate(ca.caCertificatePem).publicKey)).toBe(true);
    expect(json.keyPair.PrivateKey).toContain('PRIVATE KEY');
    expect(registry.describeCertificate(json.certificateId)).toMatchObject({ status: 'ACTIVE', certificatePem: json.certificatePem });
    expect(JSON.stringify(registry.describeCertificate(json.certificateId))).not.toContain('PRIVATE KEY');
  });

  it('GET /certificates/{id} describes it with epoch-second dates, the account and the validity', async () => {
    const registry = testRegistry();
    const routes = certificateRoutes(registry, ca);
    const { json } = await callRoute(routes, 'POST', '/keys-and-certificate');
    const record = registry.describeCertificate(json.certificateId as string);
    expect((await callRoute(routes, 'GET', `/certificates/${record.certificateId}`)).json).toEqual({
      certificateDescription: {
        certificateArn: record.certificateArn,
        certificateId: record.certificateId,
        status: 'INACTIVE',
        certificatePem: record.certificatePem,
        ownedBy: registry.accountId,
        creationDate: record.creationDate / 1000,
        lastModifiedDate: record.lastModifiedDate / 1000,
        customerVersion: 1,
        generationId: String(record.lastModifiedDate),
        validity: { notBefore: record.notBefore / 1000, notAfter: record.notAfter / 1000 },
        certificateMode: 'DEFAULT',
      },
    });
  });

  it('PUT changes the status given as newStatus, which is required; DELETE deletes', async () => {
    const registry = testRegistry();
    const routes = certificateRoutes(registry, ca);
    const id = (await callRoute(routes, 'POST', '/keys-and-certificate', { query: { setAsActive: 'true' } })).json.certificateId as string;
    expect(await callRoute(routes, 'PUT', `/certificates/${id}`)).toMatchObject({
      status: 400,
      json: { message: 'newStatus is required' },
    });
    expect(await callRoute(routes, 'DELETE', `/certificates/${id}`)).toMatchObject({ status: 406, errorType: 'CertificateStateException' });
    await callRoute(routes, 'PUT', `/certificates/${id}`, { query: { newStatus: 'INACTIVE' } });
    expect((await callRoute(routes, 'DELETE', `/certificates/${id}`)).status).toBe(200);
    expect((await callRoute(routes, 'GET', `/certificates/${id}`)).status).toBe(404);
  });
});
