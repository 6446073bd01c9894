import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerChecker, DeviceImportAnswerSchema, formatCsvRecords, type DeviceImportAnswer } from '@fleet/core';
import { createDeviceKey } from '@fleet/core/device-key';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issuedKeyFacts } from '../test-support/issued-key.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

const rootCa = '-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n';
let t: TestApp;
let caServer: Server;
beforeEach(async () => {
  caServer = createServer((_req, res) => res.end(rootCa));
  await new Promise<void>((resolve) => caServer.listen(0, '127.0.0.1', resolve));
  const { port } = caServer.address() as AddressInfo;
  t = await startTestApp({ config: { iotCaUrl: `http://127.0.0.1:${port}/ca.pem` } });
});
afterEach(async () => {
  await t.close();
  await new Promise((resolve) => caServer.close(resolve));
});

const file = [
  'name,deviceId,group,attr.site',
  'Boiler north,boiler-1,plant-a,lyon',
  '"Pump, east",,plant-a,',
  'Fan,,plant-b,',
  'Broken,bad id!,,',
  'Boiler again,boiler-1,,',
].join('\r\n');

async function upload(csv: string, groups = ['operator'], contentType = 'text/csv') {
  return t.app.inject({
    method: 'POST',
    url: '/api/device-imports',
    headers: { authorization: await t.bearer({ groups }), 'content-type': contentType },
    payload: csv,
  });
}

async function finished(importId: string, authorization?: string): Promise<DeviceImportAnswer> {
  const headers = { authorization: authorization ?? (await t.bearer({ groups: ['operator'] })) };
  for (;;) {
    const res = await t.app.inject({ method: 'GET', url: `/api/device-imports/${importId}`, headers });
    expect(res.statusCode).toBe(200);
    const answer = res.json<DeviceImportAnswer>();
    if (answer.job.status !== 'running') return answer;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('device imports', () => {
  it('registers each row, puts it in its group, and reports failed rows first', async () => {
    const res = await upload(file);
    expect(res.statusCode).toBe(202);
    const { importId } = res.json<DeviceImportAnswer>().job;
    const answer = await finished(importId);
    expect(answerChecker(DeviceImportAnswerSchema)(answer)).toMatchObject({ ok: true });
    expect(answer.job).toMatchObject({
      status: 'succeeded',
      counts: { total: 5, done: 5, created: 3, existing: 0, failed: 2 },
      groups: ['plant-a', 'plant-b'],
      credentialsAvailable: true,
    });
    expect(answer.results.map((r) => [r.row, r.outcome, r.code])).toEqual([
      [4, 'failed', 'ValidationError'],
      [5, 'failed', 'Conflict'],
      [1, 'created', undefined],
      [2, 'created', undefined],
      [3, 'created', undefined],
    ]);
    expect(answer.results[2]?.deviceId).toBe('boiler-1');
    expect(answer.results[3]?.deviceId).toMatch(/^pump-east-[a-z2-9]{6}$/);
    expect([...t.iotState.thingGroups.get('plant-a')!].sort()).toEqual(['boiler-1', answer.results[3]?.deviceId].sort());
    expect(t.iot.calls.find((c) => c.command === 'CreateThing' && c.input['thingName'] === 'boiler-1')?.input).toMatchObject({
      attributePayload: { attributes: { site: 'lyon', name: 'Boiler_north' } },
    });
  });

  it('imports the same file again as all existing: no new thing or certificate', async () => {
    await finished((await upload(file)).json<DeviceImportAnswer>().job.importId);
    const certificates = t.iotState.certificates.size;
    const again = await finished((await upload(file)).json<DeviceImportAnswer>().job.importId);
    expect(again.job.counts).toEqual({ total: 5, done: 5, created: 0, existing: 3, failed: 2 });
    expect(t.iotState.certificates.size).toBe(certificates);
    expect(again.job.credentialsAvailable).toBe(false);
  });

  it("signs a row's own CSR (its key stays on the device: none in the archive) and refuses one naming another device", async () => {
    const own = await createDeviceKey('sensor-own');
    const stranger = await createDeviceKey('someone-else');
    const csv = formatCsvRecords([
      ['name', 'deviceId', 'csr'],
      ['Own key', 'sensor-own', own.csrPem],
      ['Wrong name', 'sensor-wrong', stranger.csrPem],
      ['Made here', 'sensor-made', ''],
    ]);
    const importId = (await upload(csv)).json<DeviceImportAnswer>().job.importId;
    const answer = await finished(importId);
    expect(answer.job.counts).toMatchObject({ created: 2, failed: 1 });
    expect(answer.results.find((r) => r.deviceId === 'sensor-wrong')).toMatchObject({ outcome: 'failed', code: 'InvalidCsr' });
    const headers = { authorization: await t.bearer({ groups: ['operator'] }) };
    const res = await t.app.inject({ method: 'GET', url: `/api/device-imports/${importId}/credentials`, headers });
    const files = unzipSync(new Uint8Array(res.rawPayload));
    expect(Object.keys(files).sort()).toEqual([
      'manifest.csv',
      'root-ca.pem',
      'sensor-made.cert.pem',
      'sensor-made.private.key',
      'sensor-own.cert.pem',
    ]);
    expect(issuedKeyFacts(strFromU8(files['sensor-own.cert.pem']!), own.privateKeyPem)).toMatchObject({
      commonName: 'sensor-own',
      keyMatchesCertificate: true,
    });
    const manifest = strFromU8(files['manifest.csv']!).trim().split('\r\n');
    expect(manifest.find((line) => line.startsWith('sensor-own,'))).toMatch(/,csr$/);
    expect(manifest.find((line) => line.startsWith('sensor-made,'))).toMatch(/,generated$/);
  });

  it('accepts the file as JSON { csv } too', async () => {
    const res = await upload(JSON.stringify({ csv: 'name\nOne\n' }), ['admin'], 'application/json');
    expect(res.statusCode).toBe(202);
    expect((await finished(res.json<DeviceImportAnswer>().job.importId)).job.counts.created).toBe(1);
  });

  it('hands the ZIP of certificates, keys, root CA and manifest once, to the user who started the import', async () => {
    const importId = (await upload(file)).json<DeviceImportAnswer>().job.importId;
    await finished(importId);
    const other = await t.app.inject({
      method: 'GET',
      url: `/api/device-imports/${importId}/credentials`,
      headers: { authorization: await t.bearer({ groups: ['operator'], username: 'bob' }) },
    });
    expect(other.json()).toMatchObject({ code: 'Forbidden' });
    const headers = { authorization: await t.bearer({ groups: ['operator'] }) };
    const res = await t.app.inject({ method: 'GET', url: `/api/device-imports/${importId}/credentials`, headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const files = unzipSync(new Uint8Array(res.rawPayload));
    expect(Object.keys(files)).toHaveLength(3 * 2 + 2);
    expect(strFromU8(files['root-ca.pem']!)).toBe(rootCa);
    expect(issuedKeyFacts(strFromU8(files['boiler-1.cert.pem']!), strFromU8(files['boiler-1.private.key']!))).toEqual({
      commonName: 'boiler-1',
      keyKind: 'ec/prime256v1',
      keyMatchesCertificate: true,
    });
    const manifest = strFromU8(files['manifest.csv']!).trim().split('\r\n');
    expect(manifest[0]).toBe('deviceId,name,group,certificateId,keySource');
    expect(manifest.find((line) => line.startsWith('boiler-1,'))).toMatch(/^boiler-1,Boiler north,plant-a,\w+,generated$/);
    const again = await t.app.inject({ method: 'GET', url: `/api/device-imports/${importId}/credentials`, headers });
    expect(again.statusCode).toBe(410);
    expect(again.json()).toMatchObject({ code: 'CredentialsGone' });
    // Every attempt at the keys is in the audit trail, the refused ones too.
    await t.auditTrail.settled();
    const audit = await t.app.inject({
      method: 'GET',
      url: '/api/audit',
      headers: { authorization: await t.bearer({ groups: ['admin'], username: 'root' }) },
    });
    const taken = audit
      .json<{ entries: { action: string; outcome: number }[] }>()
      .entries.filter((e) => e.action === 'GET /api/device-imports/:importId/credentials')
      .map((e) => e.outcome);
    expect(taken.sort()).toEqual([200, 403, 410]);
  });

  it('refuses a file without a name column, invalid CSV, a viewer, and answers 404 for an unknown import', async () => {
    expect((await upload('deviceId\nx\n')).json()).toMatchObject({ code: 'ValidationError', message: expect.stringMatching(/no "name"/) });
    expect((await upload('name\n"open\n')).statusCode).toBe(400);
    expect((await upload('name\nx\n', ['viewer'])).statusCode).toBe(403);
    // No body at all (nor a content type): a 400 saying what to send, not a 500 (found by http-fuzz.test.ts).
    const empty = await t.app.inject({
      method: 'POST',
      url: '/api/device-imports',
      headers: { authorization: await t.bearer({ groups: ['operator'] }) },
    });
    expect(empty.json()).toMatchObject({ code: 'ValidationError', message: expect.stringContaining('body is required') });
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/device-imports/00000000-0000-0000-0000-000000000000',
      headers: { authorization: await t.bearer({ groups: ['operator'] }) },
    });
    expect(missing.json()).toMatchObject({ code: 'ImportNotFound' });
  });

  it('pages the results', async () => {
    const csv = ['name', ...Array.from({ length: 250 }, (_, i) => `device ${i}`)].join('\n');
    const { importId } = (await upload(csv)).json<DeviceImportAnswer>().job;
    await finished(importId);
    const headers = { authorization: await t.bearer({ groups: ['operator'] }) };
    const page = (
      await t.app.inject({ method: 'GET', url: `/api/device-imports/${importId}?offset=200&limit=100`, headers })
    ).json<DeviceImportAnswer>();
    expect(page.results.map((r) => r.row)).toEqual(Array.from({ length: 50 }, (_, i) => 201 + i));
    expect(page.nextOffset).toBeUndefined();
    const first = (
      await t.app.inject({ method: 'GET', url: `/api/device-imports/${importId}?limit=100`, headers })
    ).json<DeviceImportAnswer>();
    expect(first.nextOffset).toBe(100);
  });
});
