import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { opensslCsr } from '@fleet/local-cloud/testing';
import { asCaller } from '../test-support/as-caller.ts';
import { issuedKeyFacts } from '../test-support/issued-key.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
beforeEach(() => t.forgetCalls());

/** A CSR naming the device, as the API requires. */
const csrFor = async (deviceId: string) => (await opensslCsr(`/CN=${deviceId}`, 'ec')).csrPem;
const refusedCsr = '-----BEGIN CERTIFICATE REQUEST-----\nREFUSED\n-----END CERTIFICATE REQUEST-----\n';

async function as(groups: string[] = ['operator']) {
  return asCaller(t.app, await t.bearer({ groups }));
}

async function registered(deviceId: string): Promise<{ certificateId: string; certificateArn: string }> {
  const res = await (await as()).post('/api/devices', { name: deviceId, deviceId });
  expect(res.statusCode).toBe(201);
  return res.json().device;
}

const certificatesOf = async (deviceId: string) => (await (await as(['viewer'])).get(`/api/devices/${deviceId}/certificates`)).json().items;

describe('GET /api/devices/:id/certificates', () => {
  it('lists the registration certificate as current and ACTIVE, with its creation and end of validity', async () => {
    const { certificateId } = await registered('listed-1');
    expect(await certificatesOf('listed-1')).toEqual([
      { certificateId, status: 'ACTIVE', createdAt: expect.any(String), notAfter: '2049-12-31T23:59:59.000Z', current: true },
    ]);
  });

  it('answers 404 DeviceNotFound for an unregistered device', async () => {
    const res = await (await as(['viewer'])).get('/api/devices/nobody-1/certificates');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('DeviceNotFound');
  });
});

describe('POST /api/devices/:id/certificates (rotate)', () => {
  it('adds a generated certificate beside the old one, attached to the thing and the device policy, and makes it current', async () => {
    const first = await registered('rotated-1');
    t.forgetCalls();
    const res = await (await as()).post('/api/devices/rotated-1/certificates', {});
    expect(res.statusCode).toBe(201);
    const { certificate, credentials } = res.json();
    expect(certificate).toMatchObject({ status: 'ACTIVE', current: true });
    expect(credentials).toMatchObject({ keySource: 'generated', topic: 'fleet/devices/rotated-1/telemetry' });
    expect(credentials.privateKey).toContain('PRIVATE KEY');
    expect(t.iot.names()).toContain('CreateCertificateFromCsr');
    expect(issuedKeyFacts(credentials.certificatePem, credentials.privateKey)).toEqual({
      commonName: 'rotated-1',
      keyKind: 'ec/prime256v1',
      keyMatchesCertificate: true,
    });
    const newArn = `arn:aws:iot:us-east-1:000000000000:cert/${certificate.certificateId}`;
    expect(t.iotState.thingPrincipals.has(`rotated-1|${newArn}`)).toBe(true);
    expect(t.iotState.policyAttachments.has(`fleet-device|${newArn}`)).toBe(true);
    // The old one stays ACTIVE: the device switches over at its own pace.
    const listed = await certificatesOf('rotated-1');
    expect(listed.map((c: { certificateId: string; status: string; current: boolean }) => [c.certificateId, c.status, c.current])).toEqual([
      [certificate.certificateId, 'ACTIVE', true],
      [first.certificateId, 'ACTIVE', false],
    ]);
    const device = (await (await as(['viewer'])).get('/api/devices/rotated-1')).json();
    expect(device.certificateId).toBe(certificate.certificateId);
  });

  it("signs the device's CSR: no private key in the answer", async () => {
    await registered('rotated-2');
    const res = await (await as()).post('/api/devices/rotated-2/certificates', { certificateSigningRequest: await csrFor('rotated-2') });
    expect(res.statusCode).toBe(201);
    expect(res.json().credentials.keySource).toBe('csr');
    expect(res.body).not.toContain('PRIVATE KEY');
  });

  it('refuses a CSR AWS IoT refuses (400 InvalidCsr), an unknown field (400), a viewer (403) and an unknown device (404)', async () => {
    await registered('rotated-3');
    const bad = await (await as()).post('/api/devices/rotated-3/certificates', { certificateSigningRequest: refusedCsr });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'InvalidCsr']);
    const unknown = await (await as()).post('/api/devices/rotated-3/certificates', { keyType: 'ec' });
    expect([unknown.statusCode, unknown.json().code]).toEqual([400, 'ValidationError']);
    const viewer = await (await as(['viewer'])).post('/api/devices/rotated-3/certificates', {});
    expect(viewer.statusCode).toBe(403);
    const missing = await (await as()).post('/api/devices/nobody-2/certificates', {});
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'DeviceNotFound']);
    expect(await certificatesOf('rotated-3')).toHaveLength(1);
  });

  it('refuses a rotation past the certificates a device may hold (409) until old ones are revoked', async () => {
    await registered('rotated-4');
    for (let i = 1; i < 10; i++) expect((await (await as()).post('/api/devices/rotated-4/certificates', {})).statusCode).toBe(201);
    const full = await (await as()).post('/api/devices/rotated-4/certificates', {});
    expect([full.statusCode, full.json().code]).toEqual([409, 'CertificateStateConflict']);
  });
});

describe('POST /api/devices/:id/certificates/:certificateId/revoke', () => {
  it('revokes the old certificate: REVOKED, detached from the thing and the policy, still listed as revoked', async () => {
    const first = await registered('revoked-1');
    const rotated = (await (await as()).post('/api/devices/revoked-1/certificates', {})).json();
    t.forgetCalls();
    const res = await (await as()).post(`/api/devices/revoked-1/certificates/${first.certificateId}/revoke`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      certificateId: first.certificateId,
      status: 'REVOKED',
      current: false,
      revokedAt: expect.any(String),
    });
    // REVOKED first: AWS IoT closes the connection using it at once, whatever happens next.
    expect(t.iot.calls.find((c) => c.command === 'UpdateCertificate')?.input).toEqual({
      certificateId: first.certificateId,
      newStatus: 'REVOKED',
    });
    expect(t.iotState.certificates.get(first.certificateId)?.status).toBe('REVOKED');
    expect(t.iotState.thingPrincipals.has(`revoked-1|${first.certificateArn}`)).toBe(false);
    expect(t.iotState.policyAttachments.has(`fleet-device|${first.certificateArn}`)).toBe(false);
    const listed = await certificatesOf('revoked-1');
    expect(listed.map((c: { certificateId: string; status: string }) => [c.certificateId, c.status])).toEqual([
      [rotated.certificate.certificateId, 'ACTIVE'],
      [first.certificateId, 'REVOKED'],
    ]);
    const again = await (await as()).post(`/api/devices/revoked-1/certificates/${first.certificateId}/revoke`, {});
    expect([again.statusCode, again.json().code]).toEqual([409, 'CertificateStateConflict']);
  });

  it('refuses the last active certificate with 409 LastActiveCertificate, and an unknown one with 404', async () => {
    const only = await registered('revoked-2');
    const last = await (await as()).post(`/api/devices/revoked-2/certificates/${only.certificateId}/revoke`, {});
    expect([last.statusCode, last.json().code]).toEqual([409, 'LastActiveCertificate']);
    expect(last.json().message).toContain('rotate first');
    expect(t.iotState.certificates.get(only.certificateId)?.status).toBe('ACTIVE');
    const unknown = await (await as()).post(`/api/devices/revoked-2/certificates/${'ab'.repeat(32)}/revoke`, {});
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'CertificateNotFound']);
    const badId = await (await as()).post('/api/devices/revoked-2/certificates/not-an-id/revoke', {});
    expect([badId.statusCode, badId.json().code]).toEqual([400, 'ValidationError']);
  });

  it('makes the newest other active certificate current when the current one is revoked', async () => {
    const first = await registered('revoked-3');
    const second = (await (await as()).post('/api/devices/revoked-3/certificates', {})).json().certificate;
    await (await as()).post(`/api/devices/revoked-3/certificates/${second.certificateId}/revoke`, {});
    const device = (await (await as(['viewer'])).get('/api/devices/revoked-3')).json();
    expect(device.certificateId).toBe(first.certificateId);
  });

  it('revoking the whole device deletes every certificate it had, the revoked ones too', async () => {
    const first = await registered('revoked-4');
    const second = (await (await as()).post('/api/devices/revoked-4/certificates', {})).json().certificate;
    await (await as()).post(`/api/devices/revoked-4/certificates/${first.certificateId}/revoke`, {});
    const third = (await (await as()).post('/api/devices/revoked-4/certificates', {})).json().certificate;
    expect((await (await as()).delete('/api/devices/revoked-4')).statusCode).toBe(204);
    for (const id of [first.certificateId, second.certificateId, third.certificateId]) expect(t.iotState.certificates.has(id)).toBe(false);
    expect(t.iotState.things.has('revoked-4')).toBe(false);
  });

  it('is written to the audit trail with the device and certificate as target', async () => {
    const first = await registered('audited-1');
    await (await as()).post('/api/devices/audited-1/certificates', {});
    await (await as()).post(`/api/devices/audited-1/certificates/${first.certificateId}/revoke`, {});
    await t.auditTrail.settled();
    const res = await asCaller(t.app, await t.bearer({ username: 'root', groups: ['admin'] })).get('/api/audit?target=audited-1');
    const actions = (res.json().entries as { action: string; target: { type: string; id: string } | null }[]).map((e) => [
      e.action,
      e.target,
    ]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['POST /api/devices/:id/certificates', { type: 'devices', id: 'audited-1' }],
        ['POST /api/devices/:id/certificates/:certificateId/revoke', { type: 'devices', id: `audited-1/${first.certificateId}` }],
      ]),
    );
  });
});
